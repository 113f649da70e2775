using System.Text.RegularExpressions;

namespace Rnn.Tests.Docs;

/// <summary>
/// The tutorial pages link each equation to the code that computes it and to the test that proves it, by symbol,
/// never by line number: <c>[`TimeAt`](../src/Rnn/Layers/RecurrentLayer.cs#TimeAt)</c>. A fragment names a member
/// or type declared in the file, or a <c>#region</c> of it. The link lands when the symbol is there, and it still
/// holds what the link says: a link whose text is an identifier (<c>`SimpleCell.StepForward`</c>) names that very
/// symbol (and its type), and a link whose text is an equation in code font (<c>`∇U += Δᵀ·X`</c>) finds that
/// equation written inside the symbol's body.
/// </summary>
public partial class TutorialLinksTests
{
    // [text](target): the target up to the closing parenthesis, split into a path and an optional #fragment.
    [GeneratedRegex(@"\[(?<text>[^\]]*)\]\((?<path>[^)#\s]+)(?:#(?<fragment>[^)\s]*))?\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^`(?<code>[^`]+)`$")]
    private static partial Regex CodeText();

    [GeneratedRegex(@"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$")]
    private static partial Regex Identifier();

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Rnn.slnx"))) return directory.FullName;
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Rnn.slnx.");
    }

    /// <summary>
    /// The lines [first, last] (0-based) of symbol <paramref name="name"/> in <paramref name="lines"/>: a
    /// <c>#region name</c> to its <c>#endregion</c>, or a declaration of a type or member of that name to the end of
    /// its body (braces counted) or of its expression body; null when the file declares no such symbol.
    /// </summary>
    public static (int First, int Last)? FindSymbol(string[] lines, string name)
    {
        var region = new Regex(@"^\s*#region\s+" + Regex.Escape(name) + @"\s*$");
        var declaration = new Regex(
            @"^\s*(?:\[[^\]]*\]\s*)*(?:(?:public|private|internal|protected|static|sealed|abstract|readonly|partial|unsafe|override|virtual|async|ref|required|new)\s+)*" +
            @"(?:(?:class|struct|record|interface|enum)\s+" + Regex.Escape(name) + @"\b" +
            @"|\w[\w<>\[\],.?() ]*?\s+" + Regex.Escape(name) + @"\s*(?:<[^>]*>)?\s*[({=]" +
            @"|(?<=(?:public|private|internal|protected)\s+)" + Regex.Escape(name) + @"\s*\()");
        for (int i = 0; i < lines.Length; i++)
        {
            if (region.IsMatch(lines[i]))
            {
                for (int j = i + 1; j < lines.Length; j++)
                    if (lines[j].TrimStart().StartsWith("#endregion", StringComparison.Ordinal)) return (i, j);
                return null;
            }
            if (!declaration.IsMatch(lines[i]) || lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
            int depth = 0;
            bool opened = false;
            for (int j = i; j < lines.Length; j++)
            {
                foreach (char c in lines[j])
                {
                    if (c == '{') { depth++; opened = true; }
                    else if (c == '}') depth--;
                }
                if (opened && depth <= 0) return (i, j);
                if (!opened && lines[j].TrimEnd().EndsWith(';')) return (i, j);
            }
            return (i, lines.Length - 1);
        }
        return null;
    }

    [Theory]
    [InlineData("docs/tutorial.md")]
    [InlineData("docs/tutorial.zh.md")]
    public void Tutorial_CodeLinks_LandOnTheSymbolTheyName(string page)
    {
        string path = Path.Combine(RepositoryRoot(), page);
        string folder = Path.GetDirectoryName(path)!;
        int symbolLinks = 0;
        foreach (Match link in Link().Matches(File.ReadAllText(path)))
        {
            string target = link.Groups["path"].Value;
            if (target.Contains("://", StringComparison.Ordinal)) continue;
            string file = Path.GetFullPath(Path.Combine(folder, target));
            Assert.True(File.Exists(file) || Directory.Exists(file), $"{page}: {target} does not exist");
            if (!link.Groups["fragment"].Success) continue;
            string fragment = link.Groups["fragment"].Value;
            Assert.False(Regex.IsMatch(fragment, @"^L\d+"), $"{page}: {target}#{fragment} is a line anchor; link a symbol, lines drift");
            string[] lines = File.ReadAllLines(file);
            var range = FindSymbol(lines, fragment);
            Assert.True(range is not null, $"{page}: {target} declares no symbol or region '{fragment}'");
            symbolLinks++;

            if (CodeText().Match(link.Groups["text"].Value) is not { Success: true } code) continue;
            string text = code.Groups["code"].Value;
            if (Identifier().IsMatch(text))
            {
                string[] parts = text.Split('.');
                Assert.True(parts[^1] == fragment, $"{page}: the link `{text}` lands on '{fragment}', not on the symbol it names");
                if (parts.Length > 1)
                    Assert.True(FindSymbol(lines, parts[^2]) is not null, $"{page}: {target} declares no type '{parts[^2]}' for `{text}`");
            }
            else
            {
                string body = string.Join('\n', lines[range!.Value.First..(range.Value.Last + 1)]);
                Assert.True(body.Contains(text, StringComparison.Ordinal),
                    $"{page}: `{text}` is not written in {target}#{fragment} (lines {range.Value.First + 1}-{range.Value.Last + 1})");
            }
        }
        Assert.True(symbolLinks >= 30, $"{page} links only {symbolLinks} symbols; the tutorial links every equation to its code and test");
    }

    [Fact]
    public void FindSymbol_MethodRegionAndMissingName_AreResolvedOrRefused()
    {
        string[] lines =
        [
            "public sealed class Layer",
            "{",
            "    public void Forward(int x)",
            "    {",
            "        // P = X·Uᵀ",
            "    }",
            "    private int TimeAt(int step) => step;",
            "    #region bias",
            "    int b;",
            "    #endregion",
            "}",
        ];
        Assert.Equal((2, 5), FindSymbol(lines, "Forward"));
        Assert.Equal((6, 6), FindSymbol(lines, "TimeAt"));
        Assert.Equal((7, 9), FindSymbol(lines, "bias"));
        Assert.Equal((0, 10), FindSymbol(lines, "Layer"));
        Assert.Null(FindSymbol(lines, "Backward"));
    }
}
