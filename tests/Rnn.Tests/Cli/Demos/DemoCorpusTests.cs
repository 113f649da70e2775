using System.Text;
using Rnn.Cli.Demos;
using Rnn.Data;

namespace Rnn.Tests.Cli.Demos;

public sealed class DemoCorpusTests
{
    private static readonly string Default = DemoCorpus.Generate();

    [Fact]
    public void Generate_Default_IsAtLeast100KilobytesOfAscii()
    {
        Assert.True(Encoding.UTF8.GetByteCount(Default) >= 100_000, $"Only {Default.Length} bytes.");
        Assert.True(Default.Length >= 150_000);
        Assert.All(Default, c => Assert.True(c is '\n' or (>= ' ' and <= '~'), $"Unexpected character U+{(int)c:X4}."));
        Assert.EndsWith("\n", Default);
        Assert.StartsWith("Chapter 1\n\n", Default);
    }

    [Fact]
    public void Generate_SameSeed_GivesSameText()
    {
        Assert.Equal(Default, DemoCorpus.Generate());
        Assert.Equal(DemoCorpus.Generate(20_000, seed: 42), DemoCorpus.Generate(20_000, seed: 42));
    }

    [Fact]
    public void Generate_DifferentSeeds_GiveDifferentTexts()
    {
        Assert.NotEqual(DemoCorpus.Generate(20_000, seed: 1), DemoCorpus.Generate(20_000, seed: 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5_000)]
    [InlineData(300_000)]
    public void Generate_Size_StopsAtTheFirstParagraphAfterIt(int bytes)
    {
        string text = DemoCorpus.Generate(bytes, seed: 3);

        Assert.True(text.Length >= bytes);
        Assert.True(text.Length < bytes + 2_000, $"{text.Length} bytes for {bytes} requested.");
    }

    [Fact]
    public void Generate_Default_HasRichButBoundedVocabulary()
    {
        var words = Vocabulary.Build(Default, TokenKind.Word);
        var characters = Vocabulary.Build(Default, TokenKind.Character);

        Assert.InRange(words.Count, 300, 1000);
        Assert.InRange(characters.Count, 40, 100);
    }

    [Fact]
    public void Generate_Default_HasVariedSentencesDialogueAndParagraphs()
    {
        string[] sentences = Default.Split(['.', '!', '?', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string[] lines = Default.Split('\n');

        Assert.True(sentences.Distinct().Count() > sentences.Length / 3, "Too many repeated sentences.");
        Assert.Contains(lines, line => line.StartsWith('"') && line.Contains(" said "));
        Assert.Contains(lines, line => line.Contains('?'));
        Assert.Contains(lines, line => line.Contains(','));
        Assert.Contains("Chapter 2\n", Default);
        Assert.Contains("\n\n", Default);
        Assert.DoesNotContain("\n\n\n", Default);
        Assert.DoesNotContain("  ", Default);
        Assert.All(lines.Where(line => line.Length > 0), line => Assert.True(char.IsUpper(line[0]) || line[0] == '"', line));
    }

    [Fact]
    public void Generate_NonPositiveSize_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DemoCorpus.Generate(0));
    }
}
