using System.CommandLine;
using System.Globalization;
using Rnn.Layers;
using Rnn.Kernels;
using Rnn.Models;
using Rnn.Data;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Cli.Commands;

public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("data") { Description = "lm: a UTF-8 text; classify: label<TAB>text lines; tag: token<TAB>tag lines, a blank line between sequences; forecast: a CSV file with a header." };
        var task = CommandLine.Choice("--task", "What to learn: a language model, a classifier, a tagger or a forecaster.", "lm", "lm", "classify", "tag", "forecast");
        var tokens = CommandLine.Choice("--tokens", "lm and classify: model characters or words (Chinese is cut into words by jieba.NET). A tagging file gives its tokens, one a line.", "char", "char", "word");
        var userDict = new Option<string?>("--user-dict") { Description = "lm, with --tokens word: a jieba user dictionary (a word a line, optionally its frequency); its words are stored in the model." };
        var maxVocab = new Option<int?>("--max-vocab") { Description = "lm: keep only the most frequent tokens, special ones included; the rest become <unk>, which the model then learns to predict." };
        var hidden = CommandLine.PositiveInt("--hidden", "Hidden units per layer.", 512);
        var layers = CommandLine.PositiveInt("--layers", "Stacked recurrent layers.", 1);
        var embedding = new Option<int>("--embedding") { Description = "Embedding width (default: min(hidden, 64)).", DefaultValueFactory = _ => 0 };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Run each layer in both directions (classify, tag, forecast; refused for lm, which must not see the token it predicts)." };
        var cell = new Option<string>("--cell") { Description = "Recurrent cell: the simple RNN, LSTM or GRU (default: gru for a language model, rnn for classify, tag and forecast)." };
        cell.AcceptOnlyFromAmong("rnn", "lstm", "gru");
        var nonlinearity = CommandLine.Choice("--nonlinearity", "Recurrent activation of the simple cell.", "tanh", "tanh", "relu", "sigmoid", "identity");
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
        var valFraction = new Option<double>("--val-fraction") { Description = "Fraction held out for validation: the end of the text or series (lm, forecast), a seeded random part of the examples (classify, tag).", DefaultValueFactory = _ => 0.05 };
        var valTokens = new Option<string?>("--val-tokens") { Description = "lm: held-out tokens each validation reads: a fixed sample of about N of them spread over the held-out part (default 100000), or 'all'; the whole part is measured at the end either way." };
        var maxMemory = new Option<string?>("--max-memory") { Description = "Refuse the run if its memory estimate exceeds this size (8G, 512M, 1.5GB; default: the memory available when it starts)." };
        var valFile = new Option<string?>("--val-file") { Description = "Validate on this file instead of a part of the data (classify, tag)." };
        var bestBy = CommandLine.Choice("--best-by", "What picks the best checkpoint: the validation loss, or accuracy or F1 (classify, tag).", "loss", "loss", "accuracy", "f1");
        var classWeights = new Option<string?>("--class-weights") { Description = "classify: weight the loss per class, 'balanced' or a file of label<TAB>weight lines." };
        var maxLength = new Option<int?>("--max-len") { Description = "classify, tag: keep only the first N tokens of longer examples." };
        var head = new Option<string?>("--head") { Description = "classify, forecast: what the output layer reads, 'final' (each direction's last state) or 'mean' (the mean over valid steps); default mean for classify, final for forecast." };
        head.AcceptOnlyFromAmong("final", "mean");
        var target = new Option<string?>("--target") { Description = "forecast: the column to forecast (default: the last numeric column)." };
        var inputs = new Option<string?>("--inputs") { Description = "forecast: the input columns, COL,COL (default: the target alone)." };
        var horizon = CommandLine.PositiveInt("--horizon", "forecast: how many steps ahead to forecast (K).", 1);
        var missing = CommandLine.Choice("--missing", "forecast: missing values are refused, or interpolated, forward-filled or their rows dropped.", "refuse", "refuse", "interpolate", "ffill", "drop");
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation and dropout.", DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { Description = "Threads for matrix products (default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var evalEvery = new Option<int>("--eval-every") { Description = "Steps between validations and checkpoints (0 = automatic).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "Model/checkpoint file to write.", DefaultValueFactory = _ => "model.safetensors" };
        var resume = new Option<string?>("--resume") { Description = "Continue training from this checkpoint (same data). The schedule (--steps, --epochs, --minutes, --lr, --lr-decay, --lr-decay-every, --lr-schedule, --clip, --clip-value, --eval-every) may change and each change is reported; an option that shapes the model or its batches must match the checkpoint." };
        var plot = new Option<string?>("--plot") { Description = "Write the loss curve to this PNG." };
        var logGradFlow = new Option<bool>("--log-grad-flow") { Description = "Print the BPTT error-term norms ‖δ_k‖ at every validation point." };

        var command = new Command("train", "Train a language model, classifier, tagger or forecaster (checkpoints, resume).")
        {
            file, task, tokens, userDict, maxVocab, cell, hidden, layers, embedding, bidirectional, nonlinearity, head, seq, batch, optimizer, lr, momentum, clip, clipValue,
            lrDecay, lrDecayEvery, lrSchedule, dropout, epochs, steps, minutes, valFraction, valTokens, valFile, bestBy, classWeights, maxLength, maxMemory,
            target, inputs, horizon, missing, seed, threads, evalEvery, output, resume, plot, logGradFlow,
        };
        command.SetAction(parse =>
        {
            var kind = ModelTasks.Parse(parse.GetValue(task)!)!.Value;
            if (parse.GetValue(bidirectional) && kind == ModelTask.Lm)
                throw new UsageException("--bidirectional is refused for a language model: the reverse direction would read the very token it must predict.");
            RefuseOutsideTask(parse, kind, (valFile, [ModelTask.Classify, ModelTask.Tag]), (classWeights, [ModelTask.Classify]),
                (maxLength, [ModelTask.Classify, ModelTask.Tag]), (head, [ModelTask.Classify, ModelTask.Forecast]),
                (target, [ModelTask.Forecast]), (inputs, [ModelTask.Forecast]), (horizon, [ModelTask.Forecast]), (missing, [ModelTask.Forecast]),
                (userDict, [ModelTask.Lm]), (maxVocab, [ModelTask.Lm]), (logGradFlow, [ModelTask.Lm]), (valTokens, [ModelTask.Lm]),
                (tokens, [ModelTask.Lm, ModelTask.Classify]));
            var best = parse.GetValue(bestBy) switch { "accuracy" => BestBy.Accuracy, "f1" => BestBy.F1, _ => BestBy.Loss };
            if (best != BestBy.Loss && kind is ModelTask.Lm or ModelTask.Forecast)
                throw new UsageException($"--best-by {parse.GetValue(bestBy)} is for classify and tag; a {ModelTasks.Name(kind)} model is picked by its loss.");
            if (parse.GetValue(maxLength) is int max && max <= 0) throw new UsageException($"--max-len must be a positive integer, not {max}.");
            string path = parse.GetValue(file)!;
            Threading.Configure(parse.GetValue(threads));
            var optimizerKind = OptimizerKinds.Parse(parse.GetValue(optimizer)!)!.Value;
            var options = new TrainingOptions
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
                ValidationTokens = ValidationTokens(parse.GetValue(valTokens)),
            };
            long? memoryLimit = parse.GetValue(maxMemory) is string limit ? MemoryCheck.ParseSize(limit, "--max-memory") : null;
            var writer = parse.InvocationConfiguration.Output;
            Checkpoint? resumed = parse.GetValue(resume) is string resumePath ? CommandSteps.LoadForResume(resumePath) : null;
            if (resumed is not null)
            {
                var check = new ResumeCheck(parse, resumed);
                check.Shape(task, ModelTasks.Name(resumed.Task));
                check.Network(cell, hidden, layers, embedding, bidirectional, nonlinearity, dropout, head);
                check.Data(tokens, seq, batch, optimizer, momentum, seed, valFraction);
                check.Forecast(target, inputs, horizon, missing);
                check.ThrowIfConflicting();
                int askedValidation = options.ValidationTokens;
                options = check.Schedule(options, lr, lrDecay, lrDecayEvery, lrSchedule, clip, clipValue, evalEvery, writer);
                options = check.Validation(options, valTokens, askedValidation, writer);
            }
            string cellName = parse.GetValue(cell) ?? TrainingRun.DefaultCell(kind);
            if (resumed is null && cellName != "rnn" && parse.GetResult(nonlinearity) is { Implicit: false } && parse.GetValue(nonlinearity) != "tanh")
                throw new UsageException($"--nonlinearity {parse.GetValue(nonlinearity)} is for the simple cell (--cell rnn); the {cellName} cell has fixed activations.");
            var network = new RnnOptions
            {
                Cell = RnnOptions.ParseCell(cellName),
                InputSize = NonNegative(parse.GetValue(embedding), "--embedding") is int e and > 0 ? e : Math.Min(parse.GetValue(hidden), 64),
                HiddenSize = parse.GetValue(hidden),
                NumLayers = parse.GetValue(layers),
                Bidirectional = parse.GetValue(bidirectional),
                Nonlinearity = Activation.Parse(parse.GetValue(nonlinearity)!),
                Dropout = parse.GetValue(dropout),
            };
            var stop = StopFrom(parse.GetValue(epochs), parse.GetValue(steps), parse.GetValue(minutes));
            var tokenKind = parse.GetValue(tokens) == "word" ? TokenKind.Word : TokenKind.Character;
            if (kind != ModelTask.Lm)
            {
                var request = new TaskTrainRequest
                {
                    Task = kind,
                    Data = path,
                    ValidationFile = parse.GetValue(valFile),
                    Tokens = tokenKind,
                    Network = network,
                    Head = parse.GetValue(head) is string h ? HeadKinds.Parse(h) : null,
                    Forecast = new ForecastOptions
                    {
                        SequenceLength = options.SequenceLength,
                        Horizon = parse.GetValue(horizon),
                        Target = parse.GetValue(target),
                        Inputs = parse.GetValue(inputs) is string columns ? [.. columns.Split(',', StringSplitOptions.TrimEntries)] : null,
                        Missing = MissingValuePolicies.Parse(parse.GetValue(missing)!)!.Value,
                    },
                    Fit = new FitSettings { Options = options, Stop = stop, BestBy = best, MaxLength = parse.GetValue(maxLength) },
                    ClassWeights = parse.GetValue(classWeights),
                    Out = parse.GetValue(output)!,
                    Plot = parse.GetValue(plot),
                    MaxMemory = memoryLimit,
                };
                TaskTraining.Execute(request, resumed, writer, CommandSteps.CancelOnCtrlC());
                return ExitCodes.Ok;
            }
            var lmRequest = new TrainRequest
            {
                TextPath = path,
                Source = path,
                MaxMemory = memoryLimit,
                Tokens = tokenKind,
                Segmenter = SegmenterFrom(tokenKind, parse.GetValue(userDict), parse.GetValue(resume)),
                MaxVocabulary = MaxVocabulary(parse.GetValue(maxVocab), tokenKind),
                HiddenSize = network.HiddenSize,
                NumLayers = network.NumLayers,
                EmbeddingSize = parse.GetValue(embedding),
                Cell = network.Cell,
                Nonlinearity = network.Nonlinearity,
                Dropout = network.Dropout,
                Options = options,
                Stop = stop,
                Out = parse.GetValue(output)!,
                Resume = parse.GetValue(resume),
                Plot = parse.GetValue(plot),
                LogGradientFlow = parse.GetValue(logGradFlow),
            };
            TrainingRun.Execute(lmRequest, writer, CommandSteps.CancelOnCtrlC());
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Refuses an option the user gave for a task it does not apply to.</summary>
    private static void RefuseOutsideTask(ParseResult parse, ModelTask task, params (Option Option, ModelTask[] Tasks)[] options)
    {
        foreach (var (option, tasks) in options)
            if (parse.GetResult(option) is { Implicit: false } && !tasks.Contains(task))
                throw new UsageException($"{option.Name} is for {string.Join(" and ", tasks.Select(ModelTasks.Name))}, not --task {ModelTasks.Name(task)}.");
    }

    private static StopCondition StopFrom(double? epochs, long? steps, double? minutes)
    {
        if (epochs is double e && !(e > 0 && double.IsFinite(e))) throw new UsageException($"--epochs must be positive, not {e}.");
        if (steps is long s && s <= 0) throw new UsageException($"--steps must be positive, not {s}.");
        if (minutes is double m && !(m > 0 && double.IsFinite(m))) throw new UsageException($"--minutes must be positive, not {m}.");
        if (epochs is null && steps is null && minutes is null) epochs = 1;
        return new StopCondition(epochs, steps, minutes is double mm ? TimeSpan.FromMinutes(mm) : null);
    }

    /// <summary>Word mode cuts Chinese with jieba.NET, with the user's dictionary when one is named.</summary>
    private static ChineseSegmenter? SegmenterFrom(TokenKind kind, string? userDictionary, string? resume)
    {
        if (userDictionary is null) return kind == TokenKind.Word ? ChineseSegmenter.Default : null;
        if (kind != TokenKind.Word) throw new UsageException("--user-dict needs --tokens word: characters are tokens already.");
        if (resume is not null) throw new UsageException("--user-dict cannot change how a resumed model cuts its text; the checkpoint keeps its own words.");
        try
        {
            return ChineseSegmenter.FromUserDictionary(CommandSteps.ReadText(userDictionary));
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"{userDictionary}: {e.Message}");
        }
    }

    private static int? MaxVocabulary(int? value, TokenKind kind)
    {
        int specials = kind == TokenKind.Word ? 3 : 1;
        return value is int v && (v <= specials || v > Vocabulary.MaxTokens)
            ? throw new UsageException($"--max-vocab must be more than the {specials} special token{(specials == 1 ? "" : "s")} and at most {Vocabulary.MaxTokens}, not {v}.")
            : value;
    }

    /// <summary><c>--val-tokens</c>: a positive count, or <c>all</c> (0: the whole held-out part).</summary>
    private static int ValidationTokens(string? value) => value switch
    {
        null => TrainingOptions.DefaultValidationTokens,
        "all" => 0,
        _ => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n > 0 ? n
            : throw new UsageException($"--val-tokens must be a positive integer or 'all', not '{value}'."),
    };

    private static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new UsageException($"{name} must be ≥ 0, not {value}.");
}
