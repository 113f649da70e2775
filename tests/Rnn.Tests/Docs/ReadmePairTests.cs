using System.Text.RegularExpressions;

namespace Rnn.Tests.Docs;

/// <summary>
/// README.zh.md is written for the tutorial's Chinese readers, not translated line by line, but it keeps in step with
/// README.md: every command one of them shows (<c>rnn train</c>, <c>rnn predict</c>, …) the other shows too, and both
/// show every command the program has.
/// </summary>
public partial class ReadmePairTests
{
    [GeneratedRegex(@"\brnn (?<command>[a-z]+)\b")]
    private static partial Regex CommandMention();

    private static readonly string[] Commands = [.. Rnn.Cli.CommandLine.CreateRoot().Subcommands.Select(c => c.Name)];

    /// <summary>The program's commands that <paramref name="text"/> mentions as <c>rnn NAME</c>.</summary>
    public static SortedSet<string> MentionedCommands(string text) =>
        new(CommandMention().Matches(text).Select(m => m.Groups["command"].Value).Where(Commands.Contains), StringComparer.Ordinal);

    [Fact]
    public void Readmes_MentionTheSameCommands()
    {
        string root = RepositoryFolder.Root();
        var english = MentionedCommands(File.ReadAllText(Path.Combine(root, "README.md")));
        var chinese = MentionedCommands(File.ReadAllText(Path.Combine(root, "README.zh.md")));

        Assert.True(english.SetEquals(chinese),
            $"only in README.md: {string.Join(", ", english.Except(chinese))}; only in README.zh.md: {string.Join(", ", chinese.Except(english))}");
        Assert.Equal(Commands.Order(StringComparer.Ordinal), english);
    }

    [Fact]
    public void MentionedCommands_CommandMissingFromOne_IsTheDifference()
    {
        var english = MentionedCommands("`rnn train corpus.txt`, then `rnn predict model.safetensors 我` and not an rnn language model");
        var chinese = MentionedCommands("先 `rnn train corpus.txt`");

        Assert.Equal(["predict", "train"], english);
        Assert.Equal(["predict"], english.Except(chinese));
    }

    [Theory]
    [InlineData("README.zh.md")]
    [InlineData("docs/language-model.md")]
    [InlineData("docs/language-model.zh.md")]
    public void Page_RelativeLinks_NameExistingFiles(string page)
    {
        string path = Path.Combine(RepositoryFolder.Root(), page);
        string folder = Path.GetDirectoryName(path)!;
        var targets = Regex.Matches(File.ReadAllText(path), @"\]\((?<path>[^)#\s]+)(?:#[^)\s]*)?\)")
            .Select(m => m.Groups["path"].Value)
            .Where(t => !t.Contains("://", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(targets);
        foreach (string target in targets)
            Assert.True(File.Exists(Path.Combine(folder, target)) || Directory.Exists(Path.Combine(folder, target)), $"{page}: {target} does not exist");
    }
}
