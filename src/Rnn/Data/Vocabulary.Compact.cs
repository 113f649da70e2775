// Encoding a text read in pieces into compact ids, without the text or an int per id ever being held whole.
using System.Runtime.InteropServices;
using System.Text;

namespace Rnn.Data;

public sealed partial class Vocabulary
{
    /// <summary>
    /// The ids of a text given in pieces (such as <see cref="TextFile.ReadChunks(string, int)"/> gives), in compact
    /// storage (<see cref="TokenIds"/>): exactly the ids <see cref="Encode"/> gives for the whole text, without ever
    /// holding the text or an int per id.
    /// </summary>
    /// <param name="pieces">The text, in order; each piece is read once, before the next is asked for.</param>
    /// <param name="expectedCount">The ids expected (<see cref="VocabularyCounter.TokenCount"/>), so the storage is allocated once; 0 if unknown.</param>
    /// <param name="unknown">When given, receives the text of every token not in the vocabulary, in order.</param>
    /// <exception cref="InvalidOperationException">The text has more ids than one array can hold.</exception>
    public TokenIds EncodeCompact(IEnumerable<ReadOnlyMemory<char>> pieces, int expectedCount = 0, ICollection<string>? unknown = null)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        var encoder = new CompactEncoder(this, expectedCount, unknown);
        foreach (var piece in pieces) encoder.Add(piece.Span);
        return encoder.Complete();
    }

    /// <summary>The streaming side of <see cref="Encode"/>: stretches of the text (see <see cref="TextStretches"/>) encoded into compact storage.</summary>
    private sealed class CompactEncoder
    {
        private readonly Vocabulary _vocabulary;
        private readonly ICollection<string>? _unknown;
        private readonly TextStretches _stretches;
        private readonly TextStretches.Sink _encode;
        private readonly TokenIds.Builder _ids;
        private readonly int[] _bmpIds = [];    // the id of each scalar value U+0000–U+FFFF (character mode)
        private readonly List<int> _buffer = [];
        private bool _inLine;

        public CompactEncoder(Vocabulary vocabulary, int expectedCount, ICollection<string>? unknown)
        {
            _vocabulary = vocabulary;
            _unknown = unknown;
            _stretches = new TextStretches(vocabulary.Kind);
            _ids = new TokenIds.Builder(vocabulary.Count, expectedCount);
            if (vocabulary.Kind == TokenKind.Character)
            {
                _bmpIds = new int[char.MaxValue + 1];
                foreach (var (value, id) in vocabulary._scalarIds)
                    if (value <= char.MaxValue) _bmpIds[value] = id;
                _encode = EncodeScalars;
            }
            else _encode = EncodeWords;
        }

        public void Add(ReadOnlySpan<char> piece) => _stretches.Add(piece, _encode);

        public TokenIds Complete()
        {
            _stretches.Flush(_encode);
            if (_inLine) _ids.Append([_vocabulary.EndId]);
            return _ids.ToTokenIds();
        }

        private void EncodeScalars(ReadOnlySpan<char> text)
        {
            _buffer.Clear();
            int[] bmp = _bmpIds;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                int value = c, id;
                if (!char.IsSurrogate(c)) id = bmp[c];
                else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    value = char.ConvertToUtf32(c, text[++i]);
                    id = _vocabulary._scalarIds.GetValueOrDefault(value, UnknownIdValue);
                }
                else id = bmp[value = Rune.ReplacementChar.Value];   // an unpaired surrogate reads as U+FFFD
                if (id == UnknownIdValue) _unknown?.Add(new Rune(value).ToString());
                _buffer.Add(id);
            }
            _ids.Append(CollectionsMarshal.AsSpan(_buffer));
        }

        private void EncodeWords(ReadOnlySpan<char> text)
        {
            _buffer.Clear();
            _vocabulary.EncodeWords(text, ref _inLine, _buffer, _unknown);
            _ids.Append(CollectionsMarshal.AsSpan(_buffer));
        }
    }
}
