// A sequence classifier: tokens → embedding → RNN → one summary of each sequence → linear → softmax over the classes.
using Rnn.Data;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Serialization;

namespace Rnn.Training;

/// <summary>One class and its probability.</summary>
/// <param name="Id">The class id of <paramref name="Label"/>.</param>
/// <param name="Label">The most probable class.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Probabilities">[C]: every class's probability, in label-id order.</param>
public sealed record ClassPrediction(int Id, string Label, double Probability, IReadOnlyList<double> Probabilities);

/// <summary>The <see cref="ModelTask.Classify"/> configuration of <see cref="SequenceModel{T}"/>; see <see cref="TaskModel"/> for thread safety.</summary>
public sealed class Classifier : TaskModel
{
    private Classifier(SequenceModel<float> model, ModelContents contents, TrainingState? training) : base(model, contents, training) { }

    /// <summary>The classes.</summary>
    public LabelSet Labels => Contents.Labels!;

    /// <summary>The vocabulary.</summary>
    public Vocabulary Vocabulary => Contents.Vocabulary!;

    /// <summary>
    /// A new classifier for the classes of <paramref name="data"/>, with a vocabulary of its texts; the network reads
    /// an embedding <see cref="RnnOptions.InputSize"/> wide, and the head reads <paramref name="head"/>.
    /// </summary>
    public static Classifier Create(ClassificationDataset data, TokenKind tokens, RnnOptions network, HeadKind head = HeadKind.MeanPool, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Create(data, ClassificationDataset.BuildVocabulary(data.Examples, tokens), network, head, seed);
    }

    /// <summary>A new classifier for the classes of <paramref name="data"/> with a vocabulary built beforehand (<see cref="ClassificationDataset.BuildVocabulary"/>).</summary>
    public static Classifier Create(ClassificationDataset data, Vocabulary vocabulary, RnnOptions network, HeadKind head = HeadKind.MeanPool, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(vocabulary);
        return new Classifier(new SequenceModel<float>(Config(data.Labels, vocabulary, network, head), seed), new ModelContents { Vocabulary = vocabulary, Labels = data.Labels }, null);
    }

    /// <summary>The model configuration <see cref="Create(ClassificationDataset, Vocabulary, RnnOptions, HeadKind, ulong)"/> gives (for a memory estimate before anything is allocated).</summary>
    public static ModelConfig Config(LabelSet labels, Vocabulary vocabulary, RnnOptions network, HeadKind head = HeadKind.MeanPool)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(vocabulary);
        return TokenConfig(ModelTask.Classify, vocabulary, network, labels.Count, head);
    }

    /// <summary>Loads a classifier saved by <see cref="TaskModel.Save"/> (or by <c>rnn train --task classify</c>).</summary>
    /// <exception cref="InvalidDataException">The file is damaged or holds a model of another task.</exception>
    public static Classifier Load(string path) => From(Checkpoint.Load(path));

    /// <summary>The classifier a loaded checkpoint holds (e.g. one shared by several threads, each creating its own).</summary>
    /// <exception cref="InvalidDataException">The checkpoint holds a model of another task.</exception>
    public static Classifier From(Checkpoint checkpoint) =>
        FromCheckpoint(checkpoint, ModelTask.Classify, (model, contents, training) => new Classifier(model, contents, training));

    /// <summary>
    /// Trains on <paramref name="train"/>, validating on <paramref name="validation"/> (read with this classifier's
    /// labels), or on a seeded random part of <paramref name="train"/> of the options' ValidationFraction when null.
    /// </summary>
    public TrainingState Fit(ClassificationDataset train, ClassificationDataset? validation, FitSettings settings, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(settings);
        var (training, held) = Split(train, validation, settings);
        var source = new LabelledBatches<float>(training, held, Labels.Labels, settings.Options.BatchSize, settings.Options.Seed, settings.ClassWeights);
        return Run(source, settings, cancellation);
    }

    /// <summary>The training and validation examples as Fit uses them: encoded, cut to MaxLength, split when no validation file is given.</summary>
    public (LabelledExamples Training, LabelledExamples? Validation) Split(ClassificationDataset train, ClassificationDataset? validation, FitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(settings);
        var (trainExamples, heldExamples) = SplitItems(train.Examples, validation?.Examples, settings.Options);
        return (Encode(trainExamples, settings.MaxLength), heldExamples.Count > 0 ? Encode(heldExamples, settings.MaxLength) : null);
    }

    /// <summary>The class ids of <paramref name="examples"/> (labels must be this classifier's).</summary>
    /// <exception cref="InvalidDataException">A label is not one of the classifier's classes.</exception>
    public int[] ClassIds(IEnumerable<TextExample> examples) =>
        [.. examples.Select(e => Labels.TryGetId(e.Label ?? "", out int id) ? id
            : throw new InvalidDataException($"line {e.Line}: the label \"{e.Label}\" is not one of the model's {Labels.Count} classes"))];

    /// <summary>The most probable class of <paramref name="text"/>.</summary>
    public ClassPrediction Predict(string text) => Predict([text])[0];

    /// <summary>The most probable class of each text, in order.</summary>
    public IReadOnlyList<ClassPrediction> Predict(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        int[][] sequences = [.. texts.Select(t => TextEncoding.Encode(Vocabulary, t))];
        return [.. LabelledInference.Probabilities(Model, sequences).Select(p =>
        {
            int best = LabelledInference.ArgMax(p);
            return new ClassPrediction(best, Labels[best], p[best], p);
        })];
    }

    private LabelledExamples Encode(IReadOnlyList<TextExample> examples, int? maxLength) =>
        LabelledExamples.WithClasses([.. examples.Select(e => TextEncoding.Encode(Vocabulary, e.Text, maxLength))], ClassIds(examples));
}
