using System.Text.RegularExpressions;

namespace Rnn.Tests.Docs;

/// <summary>Every relative link of the tutorial pages names an existing file, and every #Lx or #Lx-Ly anchor lies inside it.</summary>
public partial class TutorialLinksTests
{
    // [text](target): the target up to the closing parenthesis, split into a path and an optional #fragment.
    [GeneratedRegex(@"\]\((?<path>[^)#\s]+)(?:#(?<fragment>[^)\s]*))?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^L(?<from>\d+)(?:-L(?<to>\d+))?$")]
    private static partial Regex LineAnchor();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Rnn.slnx"))) return directory.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Rnn.slnx.");
    }

    [Theory]
    [InlineData("docs/tutorial.md")]
    [InlineData("docs/tutorial.zh.md")]
    public void Tutorial_RelativeLinks_PointIntoExistingFilesAndLines(string page)
    {
        string path = Path.Combine(RepositoryRoot(), page);
        string folder = Path.GetDirectoryName(path)!;
        var links = Link().Matches(File.ReadAllText(path));
        int lineAnchors = 0;
        foreach (Match link in links)
        {
            string target = link.Groups["path"].Value;
            if (target.Contains("://", StringComparison.Ordinal)) continue;
            string file = Path.GetFullPath(Path.Combine(folder, target));
            Assert.True(File.Exists(file), $"{page}: {target} does not exist");
            if (!link.Groups["fragment"].Success) continue;
            var anchor = LineAnchor().Match(link.Groups["fragment"].Value);
            Assert.True(anchor.Success, $"{page}: {target}#{link.Groups["fragment"].Value} is not a #Lx or #Lx-Ly anchor");
            int lines = File.ReadAllLines(file).Length;
            int from = int.Parse(anchor.Groups["from"].Value);
            int to = anchor.Groups["to"].Success ? int.Parse(anchor.Groups["to"].Value) : from;
            Assert.True(from >= 1 && from <= to && to <= lines, $"{page}: {target}#L{from}-L{to} lies outside its {lines} lines");
            lineAnchors++;
        }
        Assert.True(lineAnchors >= 30, $"{page}: only {lineAnchors} line links");
    }
}
