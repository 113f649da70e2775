// The base of every optimizer: one update of ParameterSet.Values from ParameterSet.Gradients per Step, with the
// state (momentum, accumulators, step count) exposed as named full-length buffers so a checkpoint can save and
// restore it bit-exactly.
using System.Numerics;
using Rnn.Tensors;

namespace Rnn.Optim;

/// <summary>
/// A first-order optimizer over every parameter of a <see cref="ParameterSet{T}"/>. <see cref="Step"/> applies one
/// update to <see cref="ParameterSet{T}.Values"/> from <see cref="ParameterSet{T}.Gradients"/>; zeroing the
/// gradients between steps is the caller's job, as with PyTorch's <c>optimizer.zero_grad()</c>.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<OptimizerState<T>> _state = [];
    private readonly int _length;
    private double _learningRate;
    private long _stepCount;

    private protected Optimizer(ParameterSet<T> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        CheckLearningRate(learningRate, nameof(learningRate));
        Parameters = parameters;
        _length = parameters.Count;
        _learningRate = learningRate;
    }

    /// <summary>The names <see cref="Create(string, ParameterSet{T}, double, double)"/> accepts: <c>sgd</c>, <c>adagrad</c>, <c>adam</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = [Sgd<T>.Id, Adagrad<T>.Id, Adam<T>.Id];

    /// <summary>The parameters this optimizer updates.</summary>
    public ParameterSet<T> Parameters { get; }

    /// <summary>The optimizer's name as <see cref="Create(string, ParameterSet{T}, double, double)"/> takes it: <c>sgd</c>, <c>adagrad</c> or <c>adam</c>.</summary>
    public abstract string Name { get; }

    /// <summary>The step size lr used by the next <see cref="Step"/>; positive and finite. Converted to T at each step.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            CheckLearningRate(value, nameof(LearningRate));
            _learningRate = value;
        }
    }

    /// <summary>
    /// The number of steps taken, t after the t-th <see cref="Step"/>. Settable (non-negative) for resuming from a
    /// checkpoint: the updates depend on it (Adam's bias correction, SGD's first momentum step), so restore it
    /// together with <see cref="State"/>.
    /// </summary>
    public long StepCount
    {
        get => _stepCount;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(StepCount));
            _stepCount = value;
        }
    }

    /// <summary>The state buffers, each <see cref="ParameterSet{T}.Count"/> long; empty when the update keeps no state.</summary>
    public IReadOnlyList<OptimizerState<T>> State => _state;

    /// <summary>
    /// Creates the optimizer called <paramref name="name"/> (case-insensitive, see <see cref="Names"/>) with PyTorch's
    /// default hyperparameters, except <paramref name="momentum"/>, which only <c>sgd</c> takes.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown, or momentum is non-zero for an optimizer without it.</exception>
    public static Optimizer<T> Create(string name, ParameterSet<T> parameters, double learningRate, double momentum = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        var kind = OptimizerKinds.Parse(name)
            ?? throw new ArgumentException($"Unknown optimizer '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name));
        return Create(kind, parameters, learningRate, momentum);
    }

    /// <summary>Creates the optimizer of kind <paramref name="kind"/>; as <see cref="Create(string, ParameterSet{T}, double, double)"/>.</summary>
    public static Optimizer<T> Create(OptimizerKind kind, ParameterSet<T> parameters, double learningRate, double momentum = 0)
    {
        if (momentum != 0 && kind != OptimizerKind.Sgd)
            throw new ArgumentException($"Momentum {momentum} was given, but only '{Sgd<T>.Id}' takes momentum, not '{kind.Word()}'.", nameof(momentum));
        return kind switch
        {
            OptimizerKind.Sgd => new Sgd<T>(parameters, learningRate, momentum),
            OptimizerKind.Adagrad => new Adagrad<T>(parameters, learningRate),
            OptimizerKind.Adam => new Adam<T>(parameters, learningRate),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown optimizer kind."),
        };
    }

    /// <summary>Applies one update to <see cref="ParameterSet{T}.Values"/> from the current gradients, then increments <see cref="StepCount"/>.</summary>
    /// <exception cref="InvalidOperationException">Parameters were added to the set after this optimizer was created.</exception>
    public void Step()
    {
        if (Parameters.Count != _length)
            throw new InvalidOperationException(
                $"The parameter set has {Parameters.Count} parameters, but this optimizer was created for {_length}; create the optimizer after declaring every parameter.");
        Update(Parameters.Values, Parameters.Gradients, _stepCount + 1);
        _stepCount++;
    }

    /// <summary>Overwrites the state buffer called <paramref name="name"/> with <paramref name="values"/>, e.g. from a checkpoint.</summary>
    /// <exception cref="ArgumentException">No buffer has that name, or the length differs from the parameter count.</exception>
    public void LoadState(string name, ReadOnlySpan<T> values)
    {
        ArgumentNullException.ThrowIfNull(name);
        var target = _state.Find(s => s.Name == name)
            ?? throw new ArgumentException(
                $"Optimizer '{Name}' has no state named '{name}'; its state is: {(_state.Count == 0 ? "(none)" : string.Join(", ", _state.Select(s => s.Name)))}.",
                nameof(name));
        if (values.Length != _length)
            throw new ArgumentException($"State '{name}' has {values.Length} elements; expected {_length}, one per parameter.", nameof(values));
        values.CopyTo(target.Buffer);
    }

    // Adagrad and Adam work through the buffers in chunks of this many elements with a stack scratch of the same
    // size: vectorised passes that stay in L1, and no allocation per step.
    private protected const int ChunkLength = 256;

    /// <summary>Declares a zero-initialised state buffer, one element per parameter; call from the constructor only.</summary>
    private protected T[] AddState(string name)
    {
        var s = new OptimizerState<T>(name, _length);
        _state.Add(s);
        return s.Buffer;
    }

    /// <summary>The update itself: <paramref name="step"/> is t, 1 for the first step.</summary>
    private protected abstract void Update(Span<T> values, ReadOnlySpan<T> gradients, long step);

    private static void CheckLearningRate(double value, string paramName)
    {
        if (!(value > 0 && double.IsFinite(value)))
            throw new ArgumentOutOfRangeException(paramName, value, "The learning rate must be positive and finite.");
    }
}
