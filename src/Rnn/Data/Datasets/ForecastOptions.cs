namespace Rnn.Data;

/// <summary>How a forecast CSV file becomes windows.</summary>
public sealed record ForecastOptions
{
    /// <summary>T: the rows of one window's inputs. Must be positive.</summary>
    public required int SequenceLength { get; init; }

    /// <summary>K: how many rows after a window's last row its target lies. Must be positive; default 1.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>The column to forecast; null for the last numeric column that is not the index.</summary>
    public string? Target { get; init; }

    /// <summary>The columns a window reads, in this order; null or empty for the target column alone.</summary>
    public IReadOnlyList<string>? Inputs { get; init; }

    /// <summary>What to do with missing values in the target and input columns; default <see cref="MissingValuePolicy.Refuse"/>.</summary>
    public MissingValuePolicy Missing { get; init; } = MissingValuePolicy.Refuse;

    /// <summary>
    /// Whether the file is prediction input: it needs only T rows (the windows to forecast from), not T + K, since
    /// nothing in it is scored.
    /// </summary>
    public bool PredictionInput { get; init; }

    /// <summary>Checks the numbers; the column names are checked against the file.</summary>
    /// <exception cref="ArgumentOutOfRangeException">SequenceLength or Horizon is not positive, or Missing is undefined.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(SequenceLength, nameof(SequenceLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Horizon, nameof(Horizon));
        if (!Enum.IsDefined(Missing)) throw new ArgumentOutOfRangeException(nameof(Missing), Missing, "Not a missing-value policy.");
    }
}
