// char-rnn multiplies its learning rate by learning_rate_decay at the end of every epoch from
// learning_rate_decay_after on; in steps that is a decay every stepsPerEpoch steps from a start step.
// The cosine factor (SGDR's annealing without restarts) multiplies either, by the fraction of the run done.
namespace Rnn.Optim;

/// <summary>
/// A learning rate as a function of the step: constant, or decayed exponentially in a staircase. With k the number
/// of decays reached by step s (the count of steps already taken),
/// <code>
/// k = 0                                             when s &lt; DecayStartStep
/// k = ⌊(s − DecayStartStep) / DecayEverySteps⌋ + 1    otherwise
/// rate(s) = InitialRate · DecayFactor^k
/// </code>
/// so step DecayStartStep is the first to use a decayed rate, and the rate drops again every DecayEverySteps steps.
/// </summary>
public sealed class LearningRateSchedule
{
    /// <summary>Creates a schedule; see the type's formula.</summary>
    /// <param name="initialRate">The rate before any decay; positive and finite.</param>
    /// <param name="decayFactor">The factor per decay, in (0, 1]; 1 means constant.</param>
    /// <param name="decayEverySteps">Steps between decays, at least 1.</param>
    /// <param name="decayStartStep">The first step with a decayed rate, at least 0.</param>
    public LearningRateSchedule(double initialRate, double decayFactor = 1, long decayEverySteps = 1, long decayStartStep = 0)
    {
        if (!(initialRate > 0 && double.IsFinite(initialRate)))
            throw new ArgumentOutOfRangeException(nameof(initialRate), initialRate, "The initial learning rate must be positive and finite.");
        if (!(decayFactor > 0 && decayFactor <= 1))
            throw new ArgumentOutOfRangeException(nameof(decayFactor), decayFactor, "The decay factor must be in (0, 1].");
        ArgumentOutOfRangeException.ThrowIfLessThan(decayEverySteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(decayStartStep);
        InitialRate = initialRate;
        DecayFactor = decayFactor;
        DecayEverySteps = decayEverySteps;
        DecayStartStep = decayStartStep;
    }

    /// <summary>A schedule that is <paramref name="rate"/> at every step.</summary>
    public static LearningRateSchedule Constant(double rate) => new(rate);

    /// <summary>
    /// char-rnn's schedule: the rate is multiplied by <paramref name="decayFactor"/> at the end of every epoch
    /// e ≥ max(<paramref name="decayAfterEpochs"/>, 1), an epoch being <paramref name="stepsPerEpoch"/> steps; that is
    /// DecayEverySteps = stepsPerEpoch and DecayStartStep = max(decayAfterEpochs, 1)·stepsPerEpoch.
    /// </summary>
    public static LearningRateSchedule PerEpoch(double initialRate, double decayFactor, int decayAfterEpochs, long stepsPerEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decayAfterEpochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        // char-rnn checks after each iteration i ≥ 1, so the end of epoch 0 never comes and decay_after 0 acts as 1.
        return new(initialRate, decayFactor, stepsPerEpoch, checked(Math.Max(decayAfterEpochs, 1) * stepsPerEpoch));
    }

    /// <summary>The rate before any decay.</summary>
    public double InitialRate { get; }

    /// <summary>The factor applied at each decay, in (0, 1].</summary>
    public double DecayFactor { get; }

    /// <summary>Steps between decays.</summary>
    public long DecayEverySteps { get; }

    /// <summary>The first step that uses a decayed rate.</summary>
    public long DecayStartStep { get; }

    /// <summary>Whether the rate never changes (DecayFactor = 1).</summary>
    public bool IsConstant => DecayFactor == 1;

    /// <summary>The number of decays k applied by step <paramref name="step"/> (see the type's formula).</summary>
    public long DecaysAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return IsConstant || step < DecayStartStep ? 0 : (step - DecayStartStep) / DecayEverySteps + 1;
    }

    /// <summary>
    /// rate(s) = InitialRate · DecayFactor^k for step s = <paramref name="step"/> (0 for the first step); after
    /// enough decays this underflows to 0, which <see cref="Optimizer{T}.LearningRate"/> rejects.
    /// </summary>
    public double RateAt(long step) => InitialRate * Math.Pow(DecayFactor, DecaysAt(step));

    /// <summary>The fraction of the initial rate that the cosine factor ends at.</summary>
    public const double CosineFloor = 0.05;

    /// <summary>
    /// The cosine annealing factor at fraction <paramref name="fraction"/> ∈ [0, 1] of a run:
    /// floor + (1 − floor) · ½(1 + cos π·fraction), with floor = <see cref="CosineFloor"/>; 1 at the start, 0.05 at the end.
    /// </summary>
    public static double CosineFactor(double fraction) =>
        CosineFloor + (1 - CosineFloor) * 0.5 * (1 + Math.Cos(Math.PI * fraction));
}
