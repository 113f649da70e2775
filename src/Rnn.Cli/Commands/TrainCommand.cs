using System.CommandLine;
using System.Globalization;
using Rnn.Layers;
using Rnn.Diagnostics;
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
        var file = new Argument<string>("text-file") { Description = "A UTF-8 text file to learn from." };
        var tokens = CommandLine.Choice("--tokens", "Model characters or words (Chinese is cut into words by jieba.NET).", "char", "char", "word");
        var userDict = new Option<string?>("--user-dict") { Description = "With --tokens word: a jieba user dictionary (a word a line, optionally its frequency); its words are stored in the model." };
        var maxVocab = new Option<int?>("--max-vocab") { Description = "Keep only the most frequent tokens, special ones included; the rest become <unk>, which the model then learns to predict." };
        var hidden = CommandLine.PositiveInt("--hidden", "Hidden units per layer.", 512);
        var layers = CommandLine.PositiveInt("--layers", "Stacked recurrent layers.", 1);
        var embedding = new Option<int>("--embedding") { Description = "Embedding width (default: min(hidden, 64)).", DefaultValueFactory = _ => 0 };
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Refused: a language model must not see the token it predicts." };
        var cell = CommandLine.Choice("--cell", "Recurrent cell: the simple RNN, LSTM or GRU.", "rnn", "rnn", "lstm", "gru");
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
            file, tokens, userDict, maxVocab, cell, hidden, layers, embedding, bidirectional, nonlinearity, seq, batch, optimizer, lr, momentum, clip, clipValue,
            lrDecay, lrDecayEvery, lrSchedule, dropout, epochs, steps, minutes, valFraction, seed, threads, evalEvery, output, resume, plot, logGradFlow,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(bidirectional))
                throw new UsageException("--bidirectional is refused for a language model: the reverse direction would read the very token it must predict.");
            string path = parse.GetValue(file)!;
            Threading.Configure(parse.GetValue(threads));
            var optimizerKind = OptimizerKinds.Parse(parse.GetValue(optimizer)!)!.Value;
            var tokenKind = parse.GetValue(tokens) == "word" ? TokenKind.Word : TokenKind.Character;
            var request = new TrainRequest
            {
                Text = CommandSteps.ReadText(path),
                Source = path,
                Tokens = tokenKind,
                Segmenter = SegmenterFrom(tokenKind, parse.GetValue(userDict), parse.GetValue(resume)),
                MaxVocabulary = MaxVocabulary(parse.GetValue(maxVocab), tokenKind),
                HiddenSize = parse.GetValue(hidden),
                NumLayers = parse.GetValue(layers),
                EmbeddingSize = NonNegative(parse.GetValue(embedding), "--embedding"),
                Cell = RnnOptions.ParseCell(parse.GetValue(cell)!),
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
            TrainingRun.Execute(request, parse.InvocationConfiguration.Output, CommandSteps.CancelOnCtrlC());
            return ExitCodes.Ok;
        });
        return command;
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

    private static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new UsageException($"{name} must be ≥ 0, not {value}.");
}
