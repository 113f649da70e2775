// A vocabulary that segments Chinese records this object in its JSON, user words included (their contents, never a
// path), so that a model file cuts text the same way on every machine that has the same jieba.NET.
using System.Globalization;
using System.Text.Json;

namespace Rnn.Data;

/// <summary>
/// How word mode cuts Chinese: runs of Han characters are split into words by jieba.NET (accurate mode, with its HMM
/// for words missing from the dictionary), whose dictionary ships with the package. Digits and Latin letters written
/// against Han characters are cut by jieba's rules: "2008年" is "2008", "年"; "iPhone手机" is "iPhone", "手机";
/// "3.5公斤" is "3.5", "公斤". See <see cref="Vocabulary.Encode"/> for where a run starts and ends.
/// <para>jieba keeps its dictionary in one process-wide object; segmenters with different <see cref="UserWords"/>
/// take turns in it under a lock, so cuts from several threads are serialised but always see their own words.</para>
/// Instances are immutable.
/// </summary>
public sealed class ChineseSegmenter
{
    /// <summary>The name recorded for jieba.NET.</summary>
    public const string JiebaName = "jieba";

    private const int MaxUserWords = 1_000_000;

    private ChineseSegmenter(string version, UserWord[] userWords)
    {
        Version = version;
        UserWords = userWords;
    }

    /// <summary>jieba.NET with its own dictionary only.</summary>
    public static ChineseSegmenter Default { get; } = new(JiebaDictionary.Version, []);

    /// <summary>The segmenter's name: <see cref="JiebaName"/>.</summary>
    public string Name => JiebaName;

    /// <summary>The version of jieba.NET that cut the training text (recorded in model files).</summary>
    public string Version { get; }

    /// <summary>Words added to the dictionary, in the order they are added.</summary>
    public IReadOnlyList<UserWord> UserWords { get; }

    /// <summary>The default segmenter with <paramref name="userWords"/> added to its dictionary.</summary>
    /// <exception cref="ArgumentException">A word is empty or has a character the segmenter never sees in a run of Chinese, or a frequency is not positive.</exception>
    public static ChineseSegmenter WithUserWords(IEnumerable<UserWord> userWords)
    {
        ArgumentNullException.ThrowIfNull(userWords);
        UserWord[] words = [.. userWords];
        if (words.Length > MaxUserWords) throw new ArgumentException($"More than {MaxUserWords} user words.", nameof(userWords));
        foreach (var word in words)
            if (Problem(word) is string problem) throw new ArgumentException($"User word \"{word.Word}\": {problem}.", nameof(userWords));
        return new ChineseSegmenter(JiebaDictionary.Version, words);
    }

    /// <summary>
    /// Reads a user dictionary in jieba's format: one word a line, optionally followed by its frequency and a
    /// part-of-speech tag (ignored), separated by spaces: <c>云计算 5 n</c>. Blank lines are skipped.
    /// </summary>
    /// <exception cref="InvalidDataException">A line breaks the format; the message names the line.</exception>
    public static ChineseSegmenter FromUserDictionary(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = new List<UserWord>();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string[] fields = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0) continue;
            int? frequency = null;
            if (fields.Length > 3) throw BadLine(i, $"{fields.Length} fields; expected a word, a frequency and a tag at most");
            if (fields.Length > 1 && fields[1].All(char.IsAsciiDigit))
            {
                if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int f) || f <= 0)
                    throw BadLine(i, $"the frequency {fields[1]} is not a positive 32-bit integer");
                frequency = f;
            }
            else if (fields.Length == 3) throw BadLine(i, $"the second field \"{fields[1]}\" is not a frequency");
            var word = new UserWord(fields[0], frequency);
            if (Problem(word) is string problem) throw BadLine(i, $"\"{word.Word}\": {problem}");
            words.Add(word);
        }
        return new ChineseSegmenter(JiebaDictionary.Version, [.. words]);
    }

    /// <summary>Cuts one run of Chinese (no white space) into words whose concatenation is the run.</summary>
    internal List<string> Cut(string run)
    {
        var words = JiebaDictionary.Cut(run, UserWords);
        // jieba drops only white space, which a run never holds; a cut that loses text would corrupt the corpus silently.
        if (words.Sum(w => w.Length) != run.Length || words.Any(w => w.Length == 0))
            throw new InvalidOperationException($"The segmenter cut \"{run}\" into pieces that do not add up to it.");
        return words;
    }

    /// <summary>Writes <c>{"name":…,"version":…,"user_words":[{"word":…,"frequency":…},…]}</c>.</summary>
    internal void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", Name);
        writer.WriteString("version", Version);
        writer.WriteStartArray("user_words");
        foreach (var word in UserWords)
        {
            writer.WriteStartObject();
            writer.WriteString("word", word.Word);
            if (word.Frequency is int frequency) writer.WriteNumber("frequency", frequency);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Parses what <see cref="WriteJson"/> writes; the reader is on the object's start and ends on its end.</summary>
    /// <exception cref="InvalidDataException">The object breaks the format; the message says how.</exception>
    internal static ChineseSegmenter ReadJson(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Invalid("is not an object");
        string? name = null, version = null;
        List<UserWord>? words = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            Next(ref reader);
            switch (property)
            {
                case "name" when name is null:
                    name = String(ref reader, "name");
                    break;
                case "version" when version is null:
                    version = String(ref reader, "version");
                    break;
                case "user_words" when words is null:
                    words = ReadUserWords(ref reader);
                    break;
                case "name" or "version" or "user_words":
                    throw Invalid($"has \"{property}\" twice");
                default:
                    throw Invalid($"has an unknown property \"{property}\"");
            }
        }
        if (name != JiebaName) throw Invalid(name is null ? "has no \"name\"" : $"is \"{name}\", which this program does not have; it has \"{JiebaName}\"");
        if (string.IsNullOrEmpty(version)) throw Invalid("has no \"version\"");
        if (words is null) throw Invalid("has no \"user_words\"");
        return new ChineseSegmenter(version, [.. words]);
    }

    private static List<UserWord> ReadUserWords(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw Invalid("has \"user_words\" that is not an array");
        var words = new List<UserWord>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (words.Count == MaxUserWords) throw Invalid($"has more than {MaxUserWords} user words");
            if (reader.TokenType != JsonTokenType.StartObject) throw Invalid($"user word {words.Count} is not an object");
            string? word = null;
            int? frequency = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                string property = reader.GetString()!;
                Next(ref reader);
                if (property == "word" && word is null) word = String(ref reader, "word");
                else if (property == "frequency" && frequency is null)
                    frequency = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int f) ? f
                        : throw Invalid($"user word {words.Count} has a frequency that is not a 32-bit integer");
                else throw Invalid($"user word {words.Count} has an unexpected property \"{property}\"");
            }
            var userWord = new UserWord(word ?? throw Invalid($"user word {words.Count} has no \"word\""), frequency);
            if (Problem(userWord) is string problem) throw Invalid($"user word {words.Count} (\"{userWord.Word}\"): {problem}");
            words.Add(userWord);
        }
        return words;
    }

    /// <summary>Why a user word can never be cut as written, or null when it can.</summary>
    private static string? Problem(UserWord word)
    {
        if (word.Word.Length == 0) return "it is empty";
        if (word.Frequency is <= 0) return $"its frequency {word.Frequency} is not positive";
        int bad = word.Word.AsSpan().IndexOfAnyExcept(SegmenterCharacters);
        return bad < 0 ? null
            : $"the segmenter never sees '{word.Word[bad]}' inside a run of Chinese (it sees Han characters U+4E00–U+9FD5, ASCII letters and digits, + # & . _ % · -)";
    }

    private static readonly System.Buffers.SearchValues<char> SegmenterCharacters =
        System.Buffers.SearchValues.Create([.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(CjkCharacters.IsSegmenterCharacter)]);

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("The JSON ends too early.");

    private static string String(ref Utf8JsonReader reader, string property) => reader.TokenType == JsonTokenType.String
        ? reader.GetString()!
        : throw Invalid($"has \"{property}\" that is not a string");

    private static InvalidDataException Invalid(string message) => new($"the segmenter {message}");

    private static InvalidDataException BadLine(int index, string message) => new($"user dictionary line {index + 1}: {message}.");
}
