namespace Rnn.Data;

/// <summary>What a forecast reader does with a missing value (an empty cell, NA, NaN, N/A or null) in a used column.</summary>
public enum MissingValuePolicy
{
    /// <summary>Refuse the file, naming the line and column of the first missing value.</summary>
    Refuse,

    /// <summary>
    /// Fill a gap linearly between the known values on either side, by row position: the k-th of the rows between
    /// known rows i and j gets v_i + (v_j − v_i)·(k − i)/(j − i). A gap at the start or end takes the nearest known value.
    /// </summary>
    Interpolate,

    /// <summary>Fill a gap with the last known value before it; a gap at the start takes the first known value.</summary>
    ForwardFill,

    /// <summary>Remove every row that has a missing value in a used column (its index label goes with it).</summary>
    Drop,
}
