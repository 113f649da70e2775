namespace Rnn.Data;

/// <summary>
/// A time split of a <see cref="ForecastDataset"/>: windows [0, <paramref name="TrainingWindows"/>) train, windows
/// [<paramref name="TrainingWindows"/>, <paramref name="TrainingWindows"/> + <paramref name="ValidationWindows"/>) validate.
/// </summary>
/// <param name="TrainingRows">The rows [0, TrainingRows) that scaling and the MASE scale are fitted on.</param>
/// <param name="TrainingWindows">The windows whose target row is a training row.</param>
/// <param name="ValidationWindows">The windows whose target row is a validation row.</param>
public sealed record ForecastSplit(int TrainingRows, int TrainingWindows, int ValidationWindows);
