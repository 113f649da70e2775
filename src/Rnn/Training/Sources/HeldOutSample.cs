// Validation of a language model reads a fixed sample of a long held-out part: B windows (one per stream of the
// batch), spread evenly from its start to its end, each read from a zero state as the streams of a whole read are.
// The windows are a pure function of the sizes, so every validation, every resume and every machine reads the same.
namespace Rnn.Training;

/// <summary>The windows of a held-out token sequence that validation reads.</summary>
/// <param name="Starts">The first token of each window, increasing; windows do not overlap but may share an end token.</param>
/// <param name="WindowLength">Predictions per window: a window is WindowLength + 1 tokens.</param>
public sealed record HeldOutSample(int[] Starts, int WindowLength)
{
    /// <summary>Predictions in the sample.</summary>
    public long Predictions => (long)Starts.Length * WindowLength;

    /// <summary>
    /// The sample of about <paramref name="sampleTokens"/> predictions of a held-out part of
    /// <paramref name="heldOutCount"/> tokens, or null when the whole part is to be read: when
    /// <paramref name="sampleTokens"/> is 0, or the part has no more predictions than that. There are
    /// min(<paramref name="batch"/>, sampleTokens / <paramref name="sequenceLength"/>) windows (at least one) of
    /// sampleTokens / windows predictions each, the first at the start of the part and the last (of several) at its end.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or the batch or sequence length is not positive.</exception>
    public static HeldOutSample? Choose(int heldOutCount, int sampleTokens, int batch, int sequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(heldOutCount);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleTokens);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sequenceLength);
        if (sampleTokens == 0 || heldOutCount - 1 <= sampleTokens) return null;
        int windows = Math.Clamp(sampleTokens / sequenceLength, 1, batch);
        int length = sampleTokens / windows;
        // Windows · length ≤ sampleTokens < heldOutCount − 1, so evenly spaced windows never overlap.
        long lastStart = heldOutCount - 1 - length;
        int[] starts = new int[windows];
        for (int w = 1; w < windows; w++) starts[w] = (int)(w * lastStart / (windows - 1));
        return new HeldOutSample(starts, length);
    }
}
