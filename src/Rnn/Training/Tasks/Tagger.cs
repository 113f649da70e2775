// A tagger: tokens → embedding → (bidirectional) RNN → linear at every step → softmax over the tags.
using Rnn.Data;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Serialization;

namespace Rnn.Training;

/// <summary>The <see cref="ModelTask.Tag"/> configuration of <see cref="SequenceModel{T}"/>; see <see cref="TaskModel"/> for thread safety.</summary>
public sealed class Tagger : TaskModel
{
    private Tagger(SequenceModel<float> model, ModelContents contents, TrainingState? training) : base(model, contents, training) { }

    /// <summary>The tags.</summary>
    public LabelSet Tags => Contents.Labels!;

    /// <summary>The vocabulary (words).</summary>
    public Vocabulary Vocabulary => Contents.Vocabulary!;

    /// <summary>A new tagger for the tags of <paramref name="data"/>, with a word vocabulary of its tokens.</summary>
    public static Tagger Create(TaggingDataset data, RnnOptions network, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Create(data, TaggingDataset.BuildVocabulary(data.Sequences), network, seed);
    }

    /// <summary>A new tagger for the tags of <paramref name="data"/> with a vocabulary built beforehand (<see cref="TaggingDataset.BuildVocabulary"/>).</summary>
    public static Tagger Create(TaggingDataset data, Vocabulary vocabulary, RnnOptions network, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(vocabulary);
        return new Tagger(new SequenceModel<float>(Config(data.Tags, vocabulary, network), seed), new ModelContents { Vocabulary = vocabulary, Labels = data.Tags }, null);
    }

    /// <summary>The model configuration <see cref="Create(TaggingDataset, Vocabulary, RnnOptions, ulong)"/> gives (for a memory estimate before anything is allocated).</summary>
    public static ModelConfig Config(LabelSet tags, Vocabulary vocabulary, RnnOptions network)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(vocabulary);
        return TokenConfig(ModelTask.Tag, vocabulary, network, tags.Count, HeadKind.PerStep);
    }

    /// <summary>Loads a tagger saved by <see cref="TaskModel.Save"/> (or by <c>rnn train --task tag</c>).</summary>
    /// <exception cref="InvalidDataException">The file is damaged or holds a model of another task.</exception>
    public static Tagger Load(string path) => From(Checkpoint.Load(path));

    /// <summary>The tagger a loaded checkpoint holds (e.g. one shared by several threads, each creating its own).</summary>
    /// <exception cref="InvalidDataException">The checkpoint holds a model of another task.</exception>
    public static Tagger From(Checkpoint checkpoint) =>
        FromCheckpoint(checkpoint, ModelTask.Tag, (model, contents, training) => new Tagger(model, contents, training));

    /// <summary>
    /// Trains on <paramref name="train"/>, validating on <paramref name="validation"/>, or on a seeded random part of
    /// the sequences of <paramref name="train"/> (the options' ValidationFraction) when null.
    /// </summary>
    public TrainingState Fit(TaggingDataset train, TaggingDataset? validation, FitSettings settings, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(settings);
        var (trainSequences, held) = SplitItems(train.Sequences, validation?.Sequences, settings.Options);
        var source = new LabelledBatches<float>(Encode(trainSequences, settings.MaxLength), held.Count > 0 ? Encode(held, settings.MaxLength) : null,
            Tags.Labels, settings.Options.BatchSize, settings.Options.Seed);
        return Run(source, settings, cancellation);
    }

    /// <summary>The tag ids of each token of <paramref name="sequence"/>.</summary>
    /// <exception cref="InvalidDataException">A tag is not one of the tagger's.</exception>
    public int[] TagIds(TaggedSequence sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        return [.. sequence.Tags!.Select((tag, i) => Tags.TryGetId(tag, out int id) ? id
            : throw new InvalidDataException($"line {sequence.Line + i}: the tag \"{tag}\" is not one of the model's {Tags.Count} tags"))];
    }

    /// <summary>The most probable tag of each token.</summary>
    public IReadOnlyList<string> Predict(IReadOnlyList<string> tokens) => Predict([new TaggedSequence(1, tokens, null)])[0];

    /// <summary>The most probable tag of each token of each sequence, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Predict(IReadOnlyList<TaggedSequence> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        int o = Tags.Count;
        int[][] ids = [.. sequences.Select(s => TaggingDataset.Encode(Vocabulary, s))];
        return [.. LabelledInference.Probabilities(Model, ids).Select(p =>
            (IReadOnlyList<string>)[.. Enumerable.Range(0, p.Length / o).Select(t => Tags[LabelledInference.ArgMax(p.AsSpan(t * o, o))])])];
    }

    private LabelledExamples Encode(IReadOnlyList<TaggedSequence> sequences, int? maxLength)
    {
        int limit = maxLength ?? int.MaxValue;
        return LabelledExamples.WithTags(
            [.. sequences.Select(s => TaggingDataset.Encode(Vocabulary, s)[..Math.Min(limit, s.Tokens.Count)])],
            [.. sequences.Select(s => TagIds(s)[..Math.Min(limit, s.Tokens.Count)])]);
    }
}
