// What the task models share: a SequenceModel<float> with its contents, fitted by the one Trainer, saved and loaded as
// one model file. Each task adds how its data become batches and how its outputs become answers.
using Rnn.Data;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Serialization;

namespace Rnn.Training;

/// <summary>
/// The common part of <see cref="Classifier"/>, <see cref="Tagger"/> and <see cref="Forecaster"/>.
/// Thread safety: a task model keeps the buffers of its last pass, so one instance must not predict (or fit) on two
/// threads at once; its <see cref="Contents"/> (vocabulary, labels, scaling) and a loaded <see cref="Checkpoint"/> are
/// immutable and may be shared. For parallel inference, load one model per thread (<c>Load</c> or
/// <see cref="Checkpoint.CreateSequenceModel{T}"/> on one shared checkpoint).
/// </summary>
public abstract class TaskModel
{
    private protected TaskModel(SequenceModel<float> model, ModelContents contents, TrainingState? training)
    {
        Model = model;
        Contents = contents;
        Training = training;
    }

    /// <summary>The network with its head.</summary>
    public SequenceModel<float> Model { get; }

    /// <summary>Vocabulary, labels and scaling.</summary>
    public ModelContents Contents { get; private protected set; }

    /// <summary>Where training stands (after <c>Fit</c>, or as loaded), or null.</summary>
    public TrainingState? Training { get; private set; }

    /// <summary>The latest validation score of the last <c>Fit</c>, or null.</summary>
    public ValidationScore? LastValidation { get; private set; }

    /// <summary>Writes the model, with its training state when it has one, to <paramref name="path"/> atomically.</summary>
    public void Save(string path) => Checkpoint.Save(path, Model, Contents, Training);

    /// <summary>The task model <paramref name="checkpoint"/> holds, refusing one of another task than <paramref name="task"/>.</summary>
    private protected static TModel FromCheckpoint<TModel>(Checkpoint checkpoint, ModelTask task,
        Func<SequenceModel<float>, ModelContents, TrainingState?, TModel> create)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (checkpoint.Task != task)
            throw new InvalidDataException($"{checkpoint.Name} is a {ModelTasks.Name(checkpoint.Task)} model, not a {ModelTasks.Name(task)} model.");
        return create(checkpoint.CreateSequenceModel<float>(), checkpoint.Contents, checkpoint.Training);
    }

    /// <summary>
    /// The training and validation items: <paramref name="validation"/> when given, else a seeded random part of
    /// <paramref name="all"/> of the options' ValidationFraction (none when it is 0).
    /// </summary>
    private protected static (IReadOnlyList<TItem> Training, IReadOnlyList<TItem> Validation) SplitItems<TItem>(
        IReadOnlyList<TItem> all, IReadOnlyList<TItem>? validation, Optim.TrainingOptions options)
    {
        if (validation is not null || options.ValidationFraction == 0) return (all, validation ?? []);
        return ValidationSplit.Random(all, options.ValidationFraction, options.Seed);
    }

    /// <summary>A token model's configuration: the network reads the embedding (<see cref="RnnOptions.InputSize"/> wide).</summary>
    private protected static ModelConfig TokenConfig(ModelTask task, Vocabulary vocabulary, RnnOptions network, int outputs, HeadKind head) =>
        new() { Task = task, Network = network, VocabularySize = vocabulary.Count, OutputSize = outputs, Head = head };

    /// <summary>Runs the trainer over <paramref name="source"/> as <paramref name="settings"/> say; returns the final state.</summary>
    private protected TrainingState Run(IBatchSource<float> source, FitSettings settings, CancellationToken cancellation)
    {
        var trainer = new Trainer<float>(Model, source, Contents, settings.Options, settings.Resume)
        {
            CheckpointPath = settings.CheckpointPath,
            Progress = settings.Progress,
            Warning = settings.Warning,
            BestBy = settings.BestBy,
        };
        trainer.Run(settings.Stop, cancellation);
        Training = trainer.State;
        LastValidation = trainer.LastValidation;
        return trainer.State;
    }
}
