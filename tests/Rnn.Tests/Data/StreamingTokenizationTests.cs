using System.Text;
using CsCheck;
using Rnn.Data;
using Rnn.Tests.Reliability;

namespace Rnn.Tests.Data;

/// <summary>
/// A text tokenized in pieces (<see cref="VocabularyCounter"/>, <see cref="Vocabulary.EncodeCompact"/>) gives the
/// vocabulary, the id count and the ids of the whole text, wherever the pieces are cut: inside a word, a run of
/// Chinese, a surrogate pair, between a joiner and its word.
/// </summary>
public sealed class StreamingTokenizationTests
{
    private const string Mixed =
        "The cat sat on the mat. It didn't move; well-known cats rarely do...\n" +
        "我昨天上学迟到了。iPhone手机和2008年的3.5公斤C++编程，手机café！\n" +
        "Emoji 😀👍🏽 and 𝄞 music, 日本語のテキスト, Ελληνικά, русский.\r\n" +
        "  trailing spaces   \n\n\n" +
        "a line without an end";

    private static IEnumerable<ReadOnlyMemory<char>> CutAt(string text, IEnumerable<int> cuts)
    {
        int from = 0;
        foreach (int cut in cuts.Where(c => c > 0 && c < text.Length).Distinct().Order())
        {
            yield return text.AsMemory(from, cut - from);
            from = cut;
        }
        yield return text.AsMemory(from);
    }

    private static IEnumerable<ReadOnlyMemory<char>> EveryChar(string text) => CutAt(text, Enumerable.Range(1, text.Length));

    public static TheoryData<TokenKind, bool> Modes => new()
    {
        { TokenKind.Character, false },
        { TokenKind.Word, false },
        { TokenKind.Word, true },
    };

    private static ChineseSegmenter? Segmenter(bool segment) => segment ? ChineseSegmenter.Default : null;

    [Theory]
    [MemberData(nameof(Modes))]
    public void Counter_OneCharacterAPiece_BuildsTheWholeTextsVocabulary(TokenKind kind, bool segment)
    {
        var whole = Vocabulary.Build(Mixed, kind, segmenter: Segmenter(segment));

        var counter = VocabularyCounter.Count(EveryChar(Mixed), kind, Segmenter(segment));

        Assert.Equal(whole.ToJson(), counter.Build().ToJson());
        Assert.Equal(whole.Encode(Mixed).Length, counter.TokenCount);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Counter_MaxSize_KeepsTheSameMostFrequentTokens(TokenKind kind, bool segment)
    {
        int size = kind == TokenKind.Character ? 20 : 12;
        var whole = Vocabulary.Build(Mixed, kind, maxSize: size, segmenter: Segmenter(segment));

        var counter = VocabularyCounter.Count(CutAt(Mixed, [5, 40, 41, 77, 100]), kind, Segmenter(segment));

        Assert.Equal(whole.ToJson(), counter.Build(size).ToJson());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EncodeCompact_OneCharacterAPiece_GivesTheIdsOfEncode(TokenKind kind, bool segment)
    {
        // Built on part of the text, so that some tokens of the rest are unknown.
        var vocabulary = Vocabulary.Build(Mixed[..90], kind, segmenter: Segmenter(segment));
        var unknownWhole = new List<string>();
        int[] expected = vocabulary.Encode(Mixed, unknownWhole);
        var unknownPieces = new List<string>();

        TokenIds ids = vocabulary.EncodeCompact(EveryChar(Mixed), unknown: unknownPieces);

        Assert.Equal(expected, ids.ToArray());
        Assert.Equal(unknownWhole, unknownPieces);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EncodeCompact_RandomCuts_GivesTheIdsOfEncode(TokenKind kind, bool segment)
    {
        var vocabulary = Vocabulary.Build(Mixed, kind, segmenter: Segmenter(segment));
        int[] expected = vocabulary.Encode(Mixed);
        Fuzz.Run(Gen.Int[0, Mixed.Length].Array[0, 12], cases: 200, seed: 31, cuts =>
        {
            Assert.Equal(expected, vocabulary.EncodeCompact(CutAt(Mixed, cuts), expected.Length).ToArray());
            Assert.Equal(expected.Length, VocabularyCounter.Count(CutAt(Mixed, cuts), kind, Segmenter(segment)).TokenCount);
            return true;
        }, cuts => string.Join(",", cuts));
    }

    [Fact]
    public void EncodeCompact_UnpairedSurrogates_ReadAsReplacementCharacterLikeEncode()
    {
        string text = "a\uD83Db\uDE00c\uD83D";
        var vocabulary = Vocabulary.Build(text, TokenKind.Character);

        Assert.Equal(vocabulary.Encode(text), vocabulary.EncodeCompact(EveryChar(text)).ToArray());
        Assert.Equal(vocabulary.ToJson(), VocabularyCounter.Count(EveryChar(text), TokenKind.Character).Build().ToJson());
    }

    [Fact]
    public void Words_ALongLineWithoutBreaks_IsCutOnlyWhereTokensAllow()
    {
        // Thousands of words on one line: the pieces must not reopen the line (no extra <s> or </s>).
        string text = string.Join(" ", Enumerable.Range(0, 3000).Select(i => $"w{i % 97}-x{i % 13}")) + "。结束";
        var vocabulary = Vocabulary.Build(text, TokenKind.Word, segmenter: ChineseSegmenter.Default);

        TokenIds ids = vocabulary.EncodeCompact(CutAt(text, Enumerable.Range(1, text.Length / 7).Select(i => i * 7)));

        Assert.Equal(vocabulary.Encode(text), ids.ToArray());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void File_ReadInSmallBlocks_GivesTheIdsOfTheWholeText(TokenKind kind, bool segment)
    {
        string folder = Directory.CreateTempSubdirectory("rnn-stream-").FullName;
        try
        {
            string path = Path.Combine(folder, "corpus.txt");
            File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Mixed + "\r\n", 20)))]);
            string text = TextFile.ReadCorpus(path);
            var whole = Vocabulary.Build(text, kind, segmenter: Segmenter(segment));

            foreach (int block in new[] { 8, 11, 4096 })
            {
                var counter = VocabularyCounter.Count(TextFile.ReadChunks(path, block), kind, Segmenter(segment));
                var vocabulary = counter.Build();
                TokenIds ids = vocabulary.EncodeCompact(TextFile.ReadChunks(path, block), (int)counter.TokenCount);

                Assert.Equal(whole.ToJson(), vocabulary.ToJson());
                Assert.Equal(whole.Encode(text), ids.ToArray());
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Counter_EmptyText_IsRefusedAsBuildRefusesIt()
    {
        var counter = VocabularyCounter.Count([" \n\t".AsMemory()], TokenKind.Word);

        var e = Assert.Throws<ArgumentException>(() => counter.Build());
        Assert.StartsWith("The text has no tokens to build a vocabulary from.", e.Message);
    }

    [Fact]
    public void Counter_SegmenterInCharacterMode_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new VocabularyCounter(TokenKind.Character, ChineseSegmenter.Default));
    }

    [Fact]
    public void Counter_AddAfterTheEnd_IsRefused()
    {
        var counter = new VocabularyCounter(TokenKind.Character);
        counter.Add("abc");
        _ = counter.TokenCount;

        Assert.Throws<InvalidOperationException>(() => counter.Add("d"));
    }
}
