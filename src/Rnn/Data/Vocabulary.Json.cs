// The vocabulary's JSON in a model file: written and read token by token (Utf8JsonWriter, Utf8JsonReader), so that every
// token and escape round-trips exactly and a damaged vocabulary is refused with what is wrong in it.
using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Rnn.Data;

public sealed partial class Vocabulary
{
    /// <summary>
    /// The vocabulary as compact JSON for a model file's metadata: <c>{"kind":"char"|"word","tokens":[...]}</c>, the
    /// tokens in id order with the special tokens first; a vocabulary with a <see cref="Segmenter"/> adds
    /// <c>"segmenter":{"name":"jieba","version":…,"user_words":[{"word":…,"frequency":…},…]}</c> between the two
    /// (the user words themselves, so that the file cuts text the same way anywhere). BMP letters such as "é" or "我" are written as they are;
    /// control characters, line and paragraph separators and characters outside the BMP (emoji) are written as
    /// <c>\uXXXX</c> escapes, which <see cref="FromJson"/> reads back exactly.
    /// </summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", Kind == TokenKind.Character ? CharacterKindName : WordKindName);
            if (Segmenter is not null)
            {
                writer.WritePropertyName("segmenter");
                Segmenter.WriteJson(writer);
            }
            writer.WriteStartArray("tokens");
            foreach (string token in _tokens) writer.WriteStringValue(token);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Parses the output of <see cref="ToJson"/>. The object must have exactly the properties <c>kind</c> ("char" or
    /// "word") and <c>tokens</c> (an array of strings), each once, and, in word mode, may have <c>segmenter</c> (as
    /// <see cref="ToJson"/> writes it; files written before segmentation have none); the tokens must start with the special tokens of the
    /// kind, be distinct, number at most <see cref="MaxTokens"/>, and include at least one ordinary token; a character
    /// token must be exactly one scalar value, and a word token must be non-empty and free of white space.
    /// </summary>
    /// <exception cref="InvalidDataException">The JSON is malformed or breaks one of the rules above.</exception>
    public static Vocabulary FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        // A forward-only reader rather than a document: no tree of ten million nodes, and the token limit is
        // enforced while reading instead of after the whole array has been materialised.
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        try
        {
            if (Next(ref reader) != JsonTokenType.StartObject) throw Invalid($"the vocabulary is a JSON {TypeName(reader.TokenType)}, not an object");
            TokenKind? kind = null;
            string[]? tokens = null;
            ChineseSegmenter? segmenter = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                Next(ref reader);
                switch (name)
                {
                    case "kind" when kind is null:
                        kind = ParseKind(ref reader);
                        break;
                    case "tokens" when tokens is null:
                        tokens = ParseTokens(ref reader);
                        break;
                    case "segmenter" when segmenter is null:
                        try
                        {
                            segmenter = ChineseSegmenter.ReadJson(ref reader);
                        }
                        catch (InvalidDataException e)
                        {
                            throw Invalid(e.Message, e);
                        }
                        break;
                    case "kind" or "tokens" or "segmenter":
                        throw Invalid($"the vocabulary has \"{name}\" twice");
                    default:
                        throw Invalid($"the vocabulary has an unknown property \"{name}\"");
                }
            }
            // The reader itself throws if anything but white space follows the closing brace.
            reader.Read();
            if (kind is null) throw Invalid("the vocabulary has no \"kind\"");
            if (tokens is null) throw Invalid("the vocabulary has no \"tokens\"");
            return new Vocabulary(kind.Value, tokens, segmenter);
        }
        catch (JsonException e)
        {
            throw Invalid($"the vocabulary is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // GetString on a property name or "kind" whose escapes decode to an unpaired surrogate.
            throw Invalid($"the vocabulary holds a string that is not valid Unicode: {e.Message}", e);
        }
    }

    /// <summary>Reads the next JSON token; malformed or truncated JSON makes the reader throw <see cref="JsonException"/>.</summary>
    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("The JSON ends too early.");

    private static TokenKind ParseKind(ref Utf8JsonReader reader) => reader.TokenType != JsonTokenType.String
        ? throw Invalid($"the vocabulary's \"kind\" is a JSON {TypeName(reader.TokenType)}, not a string")
        : reader.GetString() switch
        {
            CharacterKindName => TokenKind.Character,
            WordKindName => TokenKind.Word,
            var other => throw Invalid($"the vocabulary's \"kind\" is \"{other}\"; expected \"{CharacterKindName}\" or \"{WordKindName}\""),
        };

    private static string[] ParseTokens(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw Invalid($"the vocabulary's \"tokens\" is a JSON {TypeName(reader.TokenType)}, not an array");
        var tokens = new List<string>();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            int id = tokens.Count;
            if (id == MaxTokens) throw Invalid($"the vocabulary has more than {MaxTokens} tokens");
            if (reader.TokenType != JsonTokenType.String) throw Invalid($"token {id} is a JSON {TypeName(reader.TokenType)}, not a string");
            // GetString refuses escapes that decode to unpaired surrogates: such a token could never be re-encoded.
            try
            {
                tokens.Add(reader.GetString()!);
            }
            catch (InvalidOperationException e)
            {
                throw Invalid($"token {id} is not a valid Unicode string: {e.Message}", e);
            }
        }
        if (tokens.Count == 0) throw Invalid("the vocabulary's token list is empty");
        return [.. tokens];
    }

    private static string TypeName(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        _ => "null",
    };

    private static InvalidDataException Invalid(string message, Exception? inner = null) => new($"invalid vocabulary: {message}", inner);
}
