// All parameters of a model live in one buffer with named views (values and gradients side by side):
// an optimizer is one loop over Values/Gradients, a checkpoint one pass over the views.
using System.Numerics;

namespace Rnn.Tensors;

/// <summary>The parameters of a model: one value buffer, one gradient buffer, and named views into both.</summary>
public sealed class ParameterSet<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<Parameter> _parameters = [];
    private readonly Dictionary<string, Parameter> _byName = new(StringComparer.Ordinal);

    /// <summary>Every parameter value, views laid end to end in declaration order.</summary>
    public T[] Values { get; private set; } = [];

    /// <summary>The gradient of the loss with respect to <see cref="Values"/>, same layout.</summary>
    public T[] Gradients { get; private set; } = [];

    /// <summary>The parameters in declaration order.</summary>
    public IReadOnlyList<Parameter> All => _parameters;

    /// <summary>The total number of scalar parameters.</summary>
    public int Count => Values.Length;

    /// <summary>Declares a new parameter, zero-initialised. Call before any computation holds spans of the buffers.</summary>
    public Parameter Add(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (_byName.ContainsKey(name)) throw new ArgumentException($"A parameter named '{name}' already exists.", nameof(name));
        foreach (int d in shape)
            if (d < 0) throw new ArgumentException($"Parameter '{name}' has a negative dimension in [{string.Join(", ", shape)}].", nameof(shape));
        var p = new Parameter(name, (int[])shape.Clone(), Values.Length);
        T[] values = Values, gradients = Gradients;
        Array.Resize(ref values, checked(Values.Length + p.Length));
        Array.Resize(ref gradients, values.Length);
        Values = values;
        Gradients = gradients;
        _parameters.Add(p);
        _byName.Add(name, p);
        return p;
    }

    /// <summary>The parameter named <paramref name="name"/>.</summary>
    public Parameter this[string name] => _byName.TryGetValue(name, out var p)
        ? p
        : throw new KeyNotFoundException($"No parameter named '{name}'.");

    /// <summary>Whether a parameter named <paramref name="name"/> exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The values of <paramref name="p"/>.</summary>
    public Span<T> Value(Parameter p) => Values.AsSpan(p.Offset, p.Length);

    /// <summary>The gradient of <paramref name="p"/>.</summary>
    public Span<T> Gradient(Parameter p) => Gradients.AsSpan(p.Offset, p.Length);

    /// <summary>Sets every gradient to zero (backward passes accumulate).</summary>
    public void ZeroGradients() => Gradients.AsSpan().Clear();
}
