using System.Text.RegularExpressions;

namespace Rnn.Tests.Docs;

/// <summary>The README's map of the code names every folder of the repository, and only folders that exist.</summary>
public partial class ReadmeMapTests
{
    [GeneratedRegex(@"`(?<path>[.\w][\w./-]*)`")]
    private static partial Regex CodePath();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Rnn.slnx"))) return directory.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Rnn.slnx.");
    }

    /// <summary>The map: the table rows of the README's "Map of the code" section.</summary>
    private static string[] MapRows(string root)
    {
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        int start = readme.IndexOf("## Map of the code", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## Map of the code' section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return readme[start..(end < 0 ? readme.Length : end)].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToArray();
    }

    [Fact]
    public void ReadmeMap_ListsEveryFolder()
    {
        string root = RepositoryRoot();
        var rows = MapRows(root);
        // A folder counts as listed when its path is in the first column, or (tests) when its name is in its parent's row.
        var named = rows.SelectMany(r => CodePath().Matches(r.Split('|')[1]).Select(m => m.Groups["path"].Value)).ToHashSet();
        var testFolders = rows.Where(r => r.Split('|')[1].Contains("`tests/Rnn.Tests`", StringComparison.Ordinal))
            .SelectMany(r => CodePath().Matches(r.Split('|')[2]).Select(m => "tests/Rnn.Tests/" + m.Groups["path"].Value)).ToHashSet();
        var missing = Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(root, d).Replace('\\', '/'))
            .Where(d => !d.Split('/').Any(part => part is "bin" or "obj" or "artifacts" or "TestResults" || (part.StartsWith('.') && part != ".ci")))
            .Where(d => !IgnoredByGit(root, d))
            .Where(d => !named.Contains(d) && !testFolders.Contains(d))
            .Order()
            .ToList();
        Assert.True(missing.Count == 0, "README's map of the code misses: " + string.Join(", ", missing));
    }

    /// <summary>
    /// Whether <paramref name="folder"/> or a folder above it is named by a plain <c>name/</c> line of the .gitignore
    /// beside it, as the data the scripts under tools fetch is (never committed, so not part of the map).
    /// </summary>
    private static bool IgnoredByGit(string root, string folder)
    {
        string[] parts = folder.Split('/');
        for (int i = 0; i < parts.Length; i++)
        {
            string gitignore = Path.Combine(root, Path.Combine(parts[..i]), ".gitignore");
            if (File.Exists(gitignore) && File.ReadLines(gitignore).Any(line => line.Trim() == parts[i] + "/")) return true;
        }
        return false;
    }

    [Fact]
    public void ReadmeMap_NamesOnlyFoldersThatExist()
    {
        string root = RepositoryRoot();
        foreach (string row in MapRows(root))
            foreach (Match m in CodePath().Matches(row.Split('|')[1]))
                Assert.True(Directory.Exists(Path.Combine(root, m.Groups["path"].Value)), $"README's map names {m.Groups["path"].Value}, which is not a folder");
    }
}
