// Training data is refused line by line rather than repaired: a line the reader guessed at would train the model on
// a label nobody wrote. Prediction input is the opposite: every line is a text, a blank one included, so that the
// n-th prediction always belongs to the n-th line.
namespace Rnn.Data;

/// <summary>One text of a classification file.</summary>
/// <param name="Line">The 1-based line the text was read from.</param>
/// <param name="Text">The text, exactly as written after the label's tab (later tabs included).</param>
/// <param name="Label">The label, white space trimmed; null for unlabelled prediction input.</param>
public sealed record TextExample(int Line, string Text, string? Label);

/// <summary>
/// A classification data file: UTF-8 text (read by <see cref="TextFile"/>), one example a line, <c>label TAB text</c>.
/// <list type="bullet">
/// <item>A line splits at its first tab: the label has no tab, the text keeps any later ones.</item>
/// <item>The label is compared after trimming white space at both ends ("pos" and "pos " are one class); an empty
/// label is refused.</item>
/// <item>The text is kept verbatim; a text that is empty or only white space is refused, since it carries nothing to
/// learn from.</item>
/// <item>A blank line is refused with its number (it has no label); only the file's final line break may end it.</item>
/// <item>The classes are the distinct labels in ordinal order (<see cref="LabelSet"/>), so ids never depend on the
/// order of the lines.</item>
/// </list>
/// </summary>
public sealed class ClassificationDataset
{
    private ClassificationDataset(string name, TextExample[] examples, LabelSet labels)
    {
        Name = name;
        Examples = examples;
        Labels = labels;
    }

    /// <summary>The name the file was read under (its path), as used in messages.</summary>
    public string Name { get; }

    /// <summary>The examples in file order.</summary>
    public IReadOnlyList<TextExample> Examples { get; }

    /// <summary>The classes: those of the file, or the set the file was checked against.</summary>
    public LabelSet Labels { get; }

    /// <summary>Reads the classification file at <paramref name="path"/>; see <see cref="Parse"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid UTF-8 text or breaks a rule of the format.</exception>
    public static ClassificationDataset Read(string path, LabelSet? labels = null) => Parse(TextFile.ReadCorpus(path), path, labels);

    /// <summary>
    /// Parses <paramref name="text"/> in the training format. With <paramref name="labels"/> (those of a training
    /// file, when this is a separate validation file) every label must be one of them and <see cref="Labels"/> is that
    /// set; without, <see cref="Labels"/> is the file's own labels.
    /// </summary>
    /// <param name="name">The file's name for messages.</param>
    /// <exception cref="InvalidDataException">A line breaks a rule of the format (the message names the line and
    /// column), or a label is not in <paramref name="labels"/>.</exception>
    public static ClassificationDataset Parse(string text, string name, LabelSet? labels = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        var examples = new List<TextExample>();
        foreach (DataLine line in DataLines.Split(text))
        {
            TextExample example = ParseLabelled(line, name);
            if (labels is not null && !labels.TryGetId(example.Label!, out _))
                throw DataLines.Error(name, line.Number, 1, $"the label {DataLines.Show(example.Label!)} is not one of the {labels.Count} training labels");
            examples.Add(example);
        }
        if (examples.Count == 0) throw new InvalidDataException($"'{name}' holds no examples.");
        return new ClassificationDataset(name, [.. examples], labels ?? new LabelSet(examples.Select(e => e.Label!)));
    }

    /// <summary>Reads prediction input from <paramref name="path"/>; see <see cref="ParsePredictionInput"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid UTF-8 text, or (labelled) a line breaks the training format.</exception>
    public static IReadOnlyList<TextExample> ReadPredictionInput(string path, bool labelled) =>
        ParsePredictionInput(TextFile.ReadCorpus(path), path, labelled);

    /// <summary>
    /// Parses prediction input. Unlabelled: every line is one text, whole (tabs included), and a blank line is an empty
    /// text, so the n-th example is the n-th line. Labelled: the training format, every rule of which applies, with the
    /// labels kept on the examples but not checked against any set (a model may meet labels it never saw).
    /// </summary>
    /// <exception cref="InvalidDataException">Labelled input breaks a rule of the training format.</exception>
    public static IReadOnlyList<TextExample> ParsePredictionInput(string text, string name, bool labelled)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(name);
        List<DataLine> lines = DataLines.Split(text);
        return labelled
            ? [.. lines.Select(line => ParseLabelled(line, name))]
            : [.. lines.Select(line => new TextExample(line.Number, line.Text, null))];
    }

    /// <summary>The id of <paramref name="example"/>'s label in <see cref="Labels"/>.</summary>
    /// <exception cref="ArgumentException">The example has no label, or one not in <see cref="Labels"/>.</exception>
    public int LabelId(TextExample example)
    {
        ArgumentNullException.ThrowIfNull(example);
        if (example.Label is null || !Labels.TryGetId(example.Label, out int id))
            throw new ArgumentException($"The example of line {example.Line} has no label in this data set.", nameof(example));
        return id;
    }

    /// <summary>
    /// Builds a vocabulary from the texts of <paramref name="examples"/> (typically the training part) by
    /// <see cref="Vocabulary.Build"/>, the texts joined by line breaks so that no word spans two examples.
    /// </summary>
    public static Vocabulary BuildVocabulary(IEnumerable<TextExample> examples, TokenKind kind, int? maxSize = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return Vocabulary.Build(string.Join('\n', examples.Select(e => e.Text)), kind, maxSize);
    }

    private static TextExample ParseLabelled(DataLine line, string name)
    {
        if (line.Text.Length == 0) throw DataLines.Error(name, line.Number, 0, "the line is blank; every line needs a label, a tab and a text");
        int tab = line.Text.IndexOf('\t');
        if (tab < 0) throw DataLines.Error(name, line.Number, 0, "the line has no tab between the label and the text");
        string label = line.Text[..tab].Trim();
        if (label.Length == 0) throw DataLines.Error(name, line.Number, 1, "the label before the tab is empty");
        string text = line.Text[(tab + 1)..];
        if (string.IsNullOrWhiteSpace(text)) throw DataLines.Error(name, line.Number, tab + 2, "the text after the tab is empty or only white space");
        return new TextExample(line.Number, text, label);
    }
}
