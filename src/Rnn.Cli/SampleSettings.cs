namespace Rnn.Cli;

/// <summary>What <c>rnn sample</c> draws: the options that shape one sample.</summary>
public sealed record SampleSettings
{
    /// <summary>Text to start from, or null for a fresh line (or sentence).</summary>
    public string? Prime { get; init; }

    /// <summary>Most tokens to draw.</summary>
    public int Length { get; init; } = 500;

    /// <summary>Softmax temperature (&gt; 0).</summary>
    public double Temperature { get; init; } = 0.8;

    /// <summary>Draw among the k most likely tokens; 0 for all.</summary>
    public int TopK { get; init; }

    /// <summary>Seed of the draws.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Text that ends the sample once drawn (it is written), or null.</summary>
    public string? StopAt { get; init; }
}
