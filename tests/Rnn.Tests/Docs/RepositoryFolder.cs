namespace Rnn.Tests.Docs;

/// <summary>The checkout the tests run from, for the tests that read its documents.</summary>
public static class RepositoryFolder
{
    /// <summary>The nearest folder above the test assembly that holds Rnn.slnx.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Rnn.slnx"))) return directory.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Rnn.slnx.");
    }
}
