// A resumed run continues the checkpoint's model on the checkpoint's batches, so every option that shapes either must
// agree with it; an option the user did not type takes the checkpoint's value. The schedule is different: a run is
// often resumed precisely to train longer or with a lower rate, so those options may change, and each change is said.
using System.CommandLine;
using System.Globalization;
using Rnn.Data;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Serialization;

namespace Rnn.Cli;

/// <summary>Compares the options of <c>rnn train --resume</c> with the checkpoint's.</summary>
public sealed class ResumeCheck(ParseResult parse, Checkpoint checkpoint)
{
    private readonly List<string> _conflicts = [];
    private readonly TrainingOptions _saved = checkpoint.Training!.Options;

    /// <summary>Notes a conflict when <paramref name="option"/> was given with a value other than <paramref name="saved"/>.</summary>
    public void Shape<TValue>(Option<TValue> option, TValue saved)
    {
        if (parse.GetResult(option) is not { Implicit: false }) return;
        TValue given = parse.GetValue(option)!;
        if (!EqualityComparer<TValue>.Default.Equals(given, saved))
            _conflicts.Add(string.Create(CultureInfo.InvariantCulture, $"{option.Name} {Show(given)} (the checkpoint has {Show(saved)})"));
    }

    /// <summary>The network's options and head.</summary>
    public void Network(Option<string> cell, Option<int> hidden, Option<int> layers, Option<int> embedding, Option<bool> bidirectional,
        Option<string> nonlinearity, Option<double> dropout, Option<string?> head)
    {
        var model = checkpoint.Model;
        var n = model.Network;
        Shape(cell, RnnOptions.CellName(n.Cell));
        Shape(hidden, n.HiddenSize);
        Shape(layers, n.NumLayers);
        if (model.TokenInput) Shape(embedding, n.InputSize);
        Shape(bidirectional, n.Bidirectional);
        Shape(nonlinearity, Activation.Name(n.Nonlinearity));
        Shape(dropout, n.Dropout);
        if (model.PerSequence) Shape(head, HeadKinds.Name(model.Head));
    }

    /// <summary>The options that shape the batches.</summary>
    public void Data(Option<string> tokens, Option<int> seq, Option<int> batch, Option<string> optimizer, Option<double> momentum, Option<ulong> seed, Option<double> valFraction)
    {
        if (checkpoint.Contents.Vocabulary is { } vocabulary && checkpoint.Task != ModelTask.Tag)
            Shape(tokens, vocabulary.Kind == TokenKind.Word ? "word" : "char");
        Shape(seq, _saved.SequenceLength);
        Shape(batch, _saved.BatchSize);
        Shape(optimizer, _saved.Optimizer.Word());
        Shape(momentum, _saved.Momentum);
        Shape(seed, _saved.Seed);
        Shape(valFraction, _saved.ValidationFraction);
    }

    /// <summary>A forecaster's window layout.</summary>
    public void Forecast(Option<string?> target, Option<string?> inputs, Option<int> horizon, Option<string> missing)
    {
        if (checkpoint.Contents.Forecast is not { } layout) return;
        Shape(target, layout.Target);
        Shape(inputs, string.Join(",", layout.Inputs ?? []));
        Shape(horizon, layout.Horizon);
        Shape(missing, MissingValuePolicies.Name(layout.Missing));
    }

    /// <summary>Refuses the resume, naming every conflicting option.</summary>
    public void ThrowIfConflicting()
    {
        if (_conflicts.Count > 0)
            throw new UsageException($"--resume {checkpoint.Name}: the options conflict with the checkpoint: {string.Join("; ", _conflicts)}.");
    }

    /// <summary>The checkpoint's options with the schedule options the user gave; each change is written to <paramref name="output"/>.</summary>
    public TrainingOptions Schedule(TrainingOptions given, Option<double> lr, Option<double> lrDecay, Option<int> lrDecayEvery, Option<string> lrSchedule,
        Option<double> clip, Option<double> clipValue, Option<int> evalEvery, TextWriter output)
    {
        var options = _saved;
        if (Given(lr)) options = Change(output, lr.Name, options.LearningRate, given.LearningRate, options with { LearningRate = given.LearningRate });
        if (Given(lrDecay)) options = Change(output, lrDecay.Name, options.LearningRateDecay, given.LearningRateDecay, options with { LearningRateDecay = given.LearningRateDecay });
        if (Given(lrDecayEvery)) options = Change(output, lrDecayEvery.Name, options.LearningRateDecayEvery, given.LearningRateDecayEvery, options with { LearningRateDecayEvery = given.LearningRateDecayEvery });
        if (Given(lrSchedule)) options = Change(output, lrSchedule.Name, options.CosineSchedule ? "cosine" : "constant", given.CosineSchedule ? "cosine" : "constant", options with { CosineSchedule = given.CosineSchedule });
        if (Given(clip)) options = Change(output, clip.Name, options.ClipNorm, given.ClipNorm, options with { ClipNorm = given.ClipNorm });
        if (Given(clipValue)) options = Change(output, clipValue.Name, options.ClipValue, given.ClipValue, options with { ClipValue = given.ClipValue });
        if (Given(evalEvery)) options = Change(output, evalEvery.Name, options.EvaluateEvery, given.EvaluateEvery, options with { EvaluateEvery = given.EvaluateEvery });
        return options;
    }

    /// <summary>
    /// <c>--val-tokens</c> may change on resume like the schedule (it changes what validation reads, not the
    /// weights); the change is written to <paramref name="output"/>.
    /// </summary>
    public TrainingOptions Validation(TrainingOptions resumed, Option<string?> valTokens, int asked, TextWriter output)
    {
        if (!Given(valTokens)) return resumed;
        int saved = resumed.ValidationTokens;
        static string Name(int n) => n == 0 ? "all" : n.ToString(CultureInfo.InvariantCulture);
        if (saved != asked) output.WriteLine($"resume: {valTokens.Name} {Name(saved)} → {Name(asked)}");
        return resumed with { ValidationTokens = asked };
    }

    private bool Given(Option option) => parse.GetResult(option) is { Implicit: false };

    private static TrainingOptions Change<TValue>(TextWriter output, string flag, TValue before, TValue after, TrainingOptions changed)
    {
        if (EqualityComparer<TValue>.Default.Equals(before, after)) return changed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resume: {flag} {Show(before)} → {Show(after)}"));
        return changed;
    }

    private static string Show<TValue>(TValue value) => value switch
    {
        null => "(none)",
        bool b => b ? "on" : "off",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
