namespace Rnn.Tests.Data;

/// <summary>The one check every data-file refusal must pass: it says which file, where in it, and what is wrong.</summary>
internal static class DataAssert
{
    /// <summary>
    /// Asserts that <paramref name="read"/> throws <see cref="InvalidDataException"/> whose message holds
    /// "'<paramref name="file"/>' <paramref name="where"/>" (such as "line 2, column 5:") and <paramref name="problem"/>.
    /// </summary>
    public static InvalidDataException Refused(Action read, string file, string where, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(read);
        Assert.Contains($"'{file}' {where}", e.Message);
        Assert.Contains(problem, e.Message);
        return e;
    }
}
