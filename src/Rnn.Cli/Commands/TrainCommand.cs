using System.CommandLine;
using System.Globalization;
using Rnn.Diagnostics;
using Rnn.Kernels;
using Rnn.Models;
using Rnn.Data;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary>Everything <c>rnn train</c> needs, from the command line or from the demo.</summary>
public sealed record TrainRequest
{
    /// <summary>The corpus text.</summary>
    public required string Text { get; init; }

    /// <summary>Where the text came from, for messages.</summary>
    public required string Source { get; init; }

    /// <summary>Character or word tokens.</summary>
    public TokenKind Tokens { get; init; } = TokenKind.Character;

    /// <summary>H.</summary>
    public int HiddenSize { get; init; } = 512;

    /// <summary>L.</summary>
    public int NumLayers { get; init; } = 1;

    /// <summary>E (0: the default, min(H, 64)).</summary>
    public int EmbeddingSize { get; init; }

    /// <summary>The recurrent activation.</summary>
    public Nonlinearity Nonlinearity { get; init; } = Nonlinearity.Tanh;

    /// <summary>Dropout between layers.</summary>
    public double Dropout { get; init; }

    /// <summary>Loop options.</summary>
    public TrainingOptions Options { get; init; } = new();

    /// <summary>When to stop.</summary>
    public StopCondition Stop { get; init; } = new(Epochs: 1);

    /// <summary>The "last" checkpoint path.</summary>
    public string Out { get; init; } = "model.safetensors";

    /// <summary>A checkpoint to continue from, or null.</summary>
    public string? Resume { get; init; }

    /// <summary>A loss-curve PNG to write, or null.</summary>
    public string? Plot { get; init; }

    /// <summary>Whether to print ‖δ_k‖ of the recurrent layers at every validation point.</summary>
    public bool LogGradientFlow { get; init; }
}

/// <summary><c>rnn train</c>: trains a character- or word-level language model on a text file.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("text-file") { Description = "A UTF-8 text file to learn from." };
        var tokens = CommandLine.Choice("--tokens", "Model characters or words.", "char", "char", "word");
        var hidden = CommandLine.PositiveInt("--hidden", "Hidden units per layer.", 512);
        var layers = CommandLine.PositiveInt("--layers", "Stacked recurrent layers.", 1);
        var embedding = new Option<int>("--embedding") { Description = "Embedding width (default: min(hidden, 64)).", DefaultValueFactory = _ => 0 };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Refused: a language model must not see the token it predicts." };
        var nonlinearity = CommandLine.Choice("--nonlinearity", "Recurrent activation.", "tanh", "tanh", "relu", "sigmoid", "identity");
        var seq = CommandLine.PositiveInt("--seq", "BPTT chunk length T.", 64);
        var batch = CommandLine.PositiveInt("--batch", "Parallel streams B.", 32);
        var optimizer = CommandLine.Choice("--optimizer", "Update rule.", "adam", "adam", "adagrad", "sgd");
        var lr = new Option<double>("--lr")
        {
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Learning rate (default: {OptimizerKind.Adam.DefaultLearningRate()} for adam, {OptimizerKind.Adagrad.DefaultLearningRate()} for adagrad, {OptimizerKind.Sgd.DefaultLearningRate()} for sgd)."),
        };
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum.", DefaultValueFactory = _ => 0.9 };
        var clip = new Option<double>("--clip") { Description = "Clip the global gradient norm (0 = off).", DefaultValueFactory = _ => 5 };
        var clipValue = new Option<double>("--clip-value") { Description = "Clamp each gradient element to ±value (0 = off).", DefaultValueFactory = _ => 0 };
        var lrDecay = new Option<double>("--lr-decay") { Description = "Multiply the learning rate by this every --lr-decay-every steps.", DefaultValueFactory = _ => 1 };
        var lrDecayEvery = CommandLine.PositiveInt("--lr-decay-every", "Steps between learning-rate decays.", 1000);
        var lrSchedule = CommandLine.Choice("--lr-schedule", "cosine: from --lr down to 5% of it over the run; constant: only --lr-decay applies.", "cosine", "cosine", "constant");
        var dropout = new Option<double>("--dropout") { Description = "Dropout between layers, in [0, 1).", DefaultValueFactory = _ => 0 };
        var epochs = new Option<double?>("--epochs") { Description = "Stop after this many passes over the text." };
        var steps = new Option<long?>("--steps") { Description = "Stop after this many optimizer steps in total." };
        var minutes = new Option<double?>("--minutes") { Description = "Stop after this many minutes." };
        var valFraction = new Option<double>("--val-fraction") { Description = "Fraction of the text (its end) held out for validation.", DefaultValueFactory = _ => 0.05 };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation and dropout.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Threads for matrix products (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between validations and checkpoints (0 = automatic).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "Model/checkpoint file to write.", DefaultValueFactory = _ => "model.safetensors" };
        var resume = new Option<string?>("--resume") { Description = "Continue training from this checkpoint (same text)." };
        var plot = new Option<string?>("--plot") { Description = "Write the loss curve to this PNG." };
        var logGradFlow = new Option<bool>("--log-grad-flow") { Description = "Print the BPTT error-term norms ‖δ_k‖ at every validation point." };

        var command = new Command("train", "Train a language model on a text file (truncated BPTT, checkpoints, resume).")
        {
            file, tokens, hidden, layers, embedding, bidirectional, nonlinearity, seq, batch, optimizer, lr, momentum, clip, clipValue,
            lrDecay, lrDecayEvery, lrSchedule, dropout, epochs, steps, minutes, valFraction, seed, threads, evalEvery, output, resume, plot, logGradFlow,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(bidirectional))
                throw new UsageException("--bidirectional is refused for a language model: the reverse direction would read the very token it must predict.");
            string path = parse.GetValue(file)!;
            Threading.Configure(parse.GetValue(threads));
            var optimizerKind = OptimizerKinds.Parse(parse.GetValue(optimizer)!)!.Value;
            var request = new TrainRequest
            {
                Text = ReadText(path),
                Source = path,
                Tokens = parse.GetValue(tokens) == "word" ? TokenKind.Word : TokenKind.Character,
                HiddenSize = parse.GetValue(hidden),
                NumLayers = parse.GetValue(layers),
                EmbeddingSize = NonNegative(parse.GetValue(embedding), "--embedding"),
                Nonlinearity = Activation.Parse(parse.GetValue(nonlinearity)!),
                Dropout = parse.GetValue(dropout),
                Options = new TrainingOptions
                {
                    LearningRate = parse.GetResult(lr) is null ? optimizerKind.DefaultLearningRate() : parse.GetValue(lr),
                    SequenceLength = parse.GetValue(seq),
                    BatchSize = parse.GetValue(batch),
                    Optimizer = optimizerKind,
                    Momentum = parse.GetValue(momentum),
                    ClipNorm = parse.GetValue(clip),
                    ClipValue = parse.GetValue(clipValue),
                    LearningRateDecay = parse.GetValue(lrDecay),
                    LearningRateDecayEvery = parse.GetValue(lrDecayEvery),
                    CosineSchedule = parse.GetValue(lrSchedule) == "cosine",
                    ValidationFraction = parse.GetValue(valFraction),
                    Seed = parse.GetValue(seed),
                    EvaluateEvery = parse.GetValue(evalEvery),
                },
                Stop = StopFrom(parse.GetValue(epochs), parse.GetValue(steps), parse.GetValue(minutes)),
                Out = parse.GetValue(output)!,
                Resume = parse.GetValue(resume),
                Plot = parse.GetValue(plot),
                LogGradientFlow = parse.GetValue(logGradFlow),
            };
            Run(request, parse.InvocationConfiguration.Output, CancelOnCtrlC());
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Reads a corpus, turning the reader's complaints into usage errors where the user gave a bad file.</summary>
    public static string ReadText(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"{path} is a directory, not a text file.");
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file.");
        try
        {
            return TextFile.ReadCorpus(path);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>Trains as <paramref name="request"/> says and returns the final validation result (null without validation).</summary>
    public static (LanguageModel<float> Model, Vocabulary Vocabulary, EvaluationResult? Validation) Run(
        TrainRequest request, TextWriter output, CancellationToken cancellation)
    {
        Checkpoint? resume = request.Resume is null ? null : LoadForResume(request.Resume);
        Vocabulary vocabulary = resume?.Vocabulary ?? Vocabulary.Build(request.Text, request.Tokens);
        TrainingOptions options = resume?.Training?.Options ?? request.Options;
        options.Validate();
        int[] tokens = vocabulary.Encode(request.Text);
        int[] train, validation;
        try
        {
            (train, validation) = BatchStreams.Split(tokens, options.ValidationFraction);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{request.Source} is too short to hold out a validation part: {e.Message.Split(" (Parameter")[0]}");
        }
        long needed = (long)options.BatchSize * options.SequenceLength + 1;
        if (train.Length < needed)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture,
                $"{request.Source} is too short: its training part has {train.Length} tokens, and one chunk of --batch {options.BatchSize} × --seq {options.SequenceLength} needs {needed}. Use a longer text or smaller --batch/--seq."));

        LanguageModel<float> model;
        if (resume is not null)
        {
            model = resume.CreateModel<float>();
            output.WriteLine($"resuming {request.Resume} at step {resume.Training!.Step} ({resume.Config})");
        }
        else
        {
            var config = new LanguageModelConfig
            {
                VocabularySize = vocabulary.Count,
                EmbeddingSize = request.EmbeddingSize > 0 ? request.EmbeddingSize : Math.Min(request.HiddenSize, 64),
                HiddenSize = request.HiddenSize,
                NumLayers = request.NumLayers,
                Nonlinearity = request.Nonlinearity,
                Dropout = request.Dropout,
            };
            try { config.Validate(); }
            catch (ArgumentException e) { throw new UsageException(e.Message); }
            model = new LanguageModel<float>(config, options.Seed);
        }

        string? outFolder = Path.GetDirectoryName(Path.GetFullPath(request.Out));
        if (outFolder is not null) Directory.CreateDirectory(outFolder);
        string unit = vocabulary.Kind == TokenKind.Word ? "bits/word" : "bits/char";
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"corpus {request.Source}: {tokens.Length} tokens ({train.Length} train, {validation.Length} validation), vocabulary {vocabulary.Count}; model {model.Config}, {model.Parameters.Count} parameters"));
        var progress = new ProgressLine(output, !Console.IsOutputRedirected && output == Console.Out, unit);
        var trainer = new Trainer<float>(model, vocabulary, train, validation, options, resume)
        {
            CheckpointPath = request.Out,
            Progress = progress.Report,
            Warning = progress.Warn,
            ValidationPoint = request.LogGradientFlow
                ? (step, trained) => { progress.Finish(); output.WriteLine(GradientFlowLine(step, GradientFlow.DeltaNorms(trained.Rnn, request.Options.SequenceLength))); }
                : null,
        };
        try
        {
            trainer.Run(request.Stop, cancellation);
        }
        finally
        {
            progress.Finish();
        }
        if (cancellation.IsCancellationRequested) output.WriteLine($"interrupted: checkpoint saved to {request.Out}");

        EvaluationResult? result = validation.Length >= 2 ? Evaluation.Evaluate(model, validation, options.BatchSize, options.SequenceLength) : null;
        var last = trainer.State.History[^1];
        string validationText = result is null ? ""
            : FormattableString.Invariant($", validation {result.BitsPerToken:F3} {unit} (perplexity {result.Perplexity:F2})");
        string bestText = double.IsFinite(trainer.State.BestValidationLoss) ? $" and {Trainer<float>.BestPath(request.Out)}" : "";
        output.WriteLine(FormattableString.Invariant($"step {trainer.State.Step}: train {last.TrainLoss / Math.Log(2):F3} {unit}{validationText}; saved {request.Out}{bestText}"));
        if (trainer.State.SkippedSteps > 0) output.WriteLine($"{trainer.State.SkippedSteps} non-finite steps were skipped");
        if (request.Plot is not null)
        {
            LossPlot.Save(request.Plot, trainer.State.History, $"{Path.GetFileName(request.Source)}: {model.Config}", unit.Replace("/", " per "));
            output.WriteLine($"loss curve: {request.Plot}");
        }
        return (model, vocabulary, result);
    }

    /// <summary>A token that is cancelled by the first Ctrl-C (the second one ends the process as usual).</summary>
    public static CancellationToken CancelOnCtrlC()
    {
        var source = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (source.IsCancellationRequested) return;
            e.Cancel = true;
            source.Cancel();
        };
        return source.Token;
    }

    private static Checkpoint LoadForResume(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"{path}: no such checkpoint to resume from.");
        var checkpoint = Checkpoint.Load(path);
        if (checkpoint.Training is null) throw new UsageException($"{path} holds a model without training state; it cannot be resumed.");
        return checkpoint;
    }

    private static StopCondition StopFrom(double? epochs, long? steps, double? minutes)
    {
        if (epochs is double e && !(e > 0 && double.IsFinite(e))) throw new UsageException($"--epochs must be positive, not {e}.");
        if (steps is long s && s <= 0) throw new UsageException($"--steps must be positive, not {s}.");
        if (minutes is double m && !(m > 0 && double.IsFinite(m))) throw new UsageException($"--minutes must be positive, not {m}.");
        if (epochs is null && steps is null && minutes is null) epochs = 1;
        return new StopCondition(epochs, steps, minutes is double mm ? TimeSpan.FromMinutes(mm) : null);
    }

    /// <summary>One line per layer: ‖δ_k‖ at the chunk's last step, a quarter, half and all the way back, and the fitted factor per step.</summary>
    private static string GradientFlowLine(long step, double[][] norms) => string.Join(Environment.NewLine, norms.Select((n, l) =>
        FormattableString.Invariant($"grad flow step {step} layer {l}: ‖δ_k‖ at t−k = 0, {n.Length / 4}, {n.Length / 2}, {n.Length - 1}: ") +
        string.Join(" ", new[] { n.Length - 1, n.Length - 1 - n.Length / 4, n.Length - 1 - n.Length / 2, 0 }.Select(k => n[k].ToString("0.00e+00", CultureInfo.InvariantCulture))) +
        FormattableString.Invariant($"; ×{Math.Pow(10, GradientFlow.Slope(n)):F4} per step")));

    private static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new UsageException($"{name} must be ≥ 0, not {value}.");
}
