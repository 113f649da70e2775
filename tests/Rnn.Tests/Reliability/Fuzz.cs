using CsCheck;

namespace Rnn.Tests.Reliability;

/// <summary>
/// Runs a CsCheck generator over a fixed sequence of cases, so that every run of the suite checks the same inputs
/// (CsCheck's own <c>Sample</c> draws from the clock). A failing case is reported with its CsCheck seed, which
/// <c>Check.Sample(gen, check, seed: "…")</c> replays.
/// </summary>
internal static class Fuzz
{
    /// <summary>Checks <paramref name="cases"/> values of <paramref name="gen"/> drawn from <paramref name="seed"/>; returns how many passed without throwing.</summary>
    /// <param name="check">Returns true when the case was accepted, false when it was rejected in a documented way; throws otherwise.</param>
    public static (int Accepted, int Rejected) Run<T>(Gen<T> gen, int cases, ulong seed, Func<T, bool> check, Func<T, string>? describe = null)
    {
        var pcg = new PCG(1, seed);
        int accepted = 0;
        for (int i = 0; i < cases; i++)
        {
            string replay = pcg.ToString();
            T value = gen.Generate(pcg, null, out _);
            try
            {
                if (check(value)) accepted++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException(
                    $"case {i} (CsCheck seed {replay}): {describe?.Invoke(value) ?? value?.ToString()}\nthrew {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        return (accepted, cases - accepted);
    }

    /// <summary>Up to <paramref name="maxEdits"/> edits of <paramref name="valid"/>: one of <paramref name="pieces"/> inserted, or a run of up to 3 chars removed, at random places.</summary>
    public static Gen<string> Mutations(string valid, string[] pieces, int maxEdits) =>
        Gen.Select(Gen.Int[0, valid.Length], Gen.Int[0, pieces.Length - 1], Gen.Int[0, 3], Gen.Bool).Array[1, maxEdits].Select(edits =>
        {
            string text = valid;
            foreach (var (at, piece, removed, insert) in edits)
            {
                int position = Math.Min(at, text.Length);
                text = insert ? text.Insert(position, pieces[piece]) : text.Remove(position, Math.Min(removed, text.Length - position));
            }
            return text;
        });
}
