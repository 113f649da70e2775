// Validation points (a validation and a checkpoint) cost the same at every point, whatever the training steps between
// them cost, so on a slow validation or a fast model they could take most of a run. The budget keeps their share of
// the wall time near a bound by skipping points: a point that falls due while the points so far have taken more than
// the share of the time is passed over, and the next one is considered instead. A small allowance is never counted
// against the share: the first point pays for compiling the evaluation and checkpoint code, and would otherwise
// silence a short run's validation altogether.
namespace Rnn.Training;

/// <summary>The share of a run's wall time that its validation points may take, and what they took.</summary>
public sealed class EvaluationBudget
{
    /// <summary>The default share: a tenth of the time.</summary>
    public const double DefaultShare = 0.1;

    /// <summary>The default allowance: one second.</summary>
    public static readonly TimeSpan DefaultAllowance = TimeSpan.FromSeconds(1);

    /// <summary>A budget of <paramref name="share"/> of the wall time, beyond <paramref name="allowance"/> (default: <see cref="DefaultAllowance"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="share"/> is not in (0, 1], or the allowance is negative.</exception>
    public EvaluationBudget(double share = DefaultShare, TimeSpan? allowance = null)
    {
        if (!(share > 0 && share <= 1)) throw new ArgumentOutOfRangeException(nameof(share), share, "The share of the time must be in (0, 1].");
        Allowance = allowance ?? DefaultAllowance;
        if (Allowance < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(allowance), allowance, "The allowance cannot be negative.");
        Share = share;
    }

    /// <summary>The share of the wall time validation points may take; 1 never skips one.</summary>
    public double Share { get; }

    /// <summary>The time points may take before the share applies.</summary>
    public TimeSpan Allowance { get; }

    /// <summary>The time taken by the points that ran.</summary>
    public TimeSpan Spent { get; private set; }

    /// <summary>The points that ran.</summary>
    public int Taken { get; private set; }

    /// <summary>The points skipped to keep within the budget.</summary>
    public int Skipped { get; private set; }

    /// <summary>
    /// Whether a point falling due when the run has lasted <paramref name="elapsed"/> should run: yes unless the
    /// points so far took more than <see cref="Share"/> of that time and more than the <see cref="Allowance"/> (then
    /// it counts as skipped).
    /// </summary>
    public bool Allows(TimeSpan elapsed)
    {
        if (Share >= 1 || Spent <= Allowance || Spent <= elapsed * Share) return true;
        Skipped++;
        return false;
    }

    /// <summary>Records a point that ran and took <paramref name="duration"/>.</summary>
    public void Record(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(duration), duration, "A duration cannot be negative.");
        Spent += duration;
        Taken++;
    }

    /// <summary>The share of <paramref name="elapsed"/> the points took, in [0, 1].</summary>
    public double SpentShare(TimeSpan elapsed) => elapsed <= TimeSpan.Zero ? 0 : Math.Clamp(Spent / elapsed, 0, 1);
}
