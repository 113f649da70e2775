using System.CommandLine;
using System.Globalization;
using Rnn.Diagnostics;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Tensors;
using Rnn.Training;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn gradcheck</c>: BPTT against central differences in float64, one row per parameter.</summary>
public static class GradCheckCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = CommandLine.PositiveInt("--input", "Input features I.", 3);
        var hidden = CommandLine.PositiveInt("--hidden", "Hidden units H per layer and direction.", 4);
        var layers = CommandLine.PositiveInt("--layers", "Stacked layers L.", 1);
        var seq = CommandLine.PositiveInt("--seq", "Sequence length T.", 10);
        var batch = CommandLine.PositiveInt("--batch", "Batch size B.", 2);
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Add a reverse-time direction to every layer." };
        var cell = CommandLine.Choice("--cell", "Recurrent cell: the simple RNN, LSTM or GRU.", "rnn", "rnn", "lstm", "gru");
        var nonlinearity = CommandLine.Choice("--nonlinearity", "Activation f of the simple cell.", "tanh", "tanh", "relu", "sigmoid", "identity");
        var noBias = new Option<bool>("--no-bias") { Description = "Leave out b_ih and b_hh (the tutorial's layer)." };
        var stacking = CommandLine.Choice("--stacking", "How directions of deep bidirectional layers stack.", "concat", "concat", "separate");
        var batchFirst = new Option<bool>("--batch-first") { Description = "Use [B, T, F] inputs and outputs." };
        var lengthsOption = new Option<string>("--lengths")
        {
            Description = "Per-sequence lengths: all (every sequence T steps), uniform (drawn from 1..T with the seed) or a list such as 12,7,3 (one per sequence; it sets --batch when that is not given).",
            DefaultValueFactory = _ => "all",
        };
        var seed = new Option<ulong>("--seed") { Description = "Seed for weights and data.", DefaultValueFactory = _ => 1 };
        var tolerance = new Option<double>("--tolerance") { Description = "Largest relative error that passes.", DefaultValueFactory = _ => GradientCheck.DefaultTolerance };
        tolerance.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && double.TryParse(r.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out double v)
                && (!(v > 0) || double.IsInfinity(v)))
                r.AddError($"--tolerance must be a positive number, not {v}.");
        });

        var command = new Command("gradcheck", "Check BPTT gradients against central differences (float64) for every parameter, x, h0 (and c0 for LSTM).")
        {
            cell, input, hidden, layers, seq, batch, bidirectional, nonlinearity, noBias, stacking, batchFirst, lengthsOption, seed, tolerance,
        };
        command.SetAction(parse =>
        {
            var options = new RnnOptions
            {
                Cell = RnnOptions.ParseCell(parse.GetValue(cell)!),
                InputSize = parse.GetValue(input),
                HiddenSize = parse.GetValue(hidden),
                NumLayers = parse.GetValue(layers),
                Bidirectional = parse.GetValue(bidirectional),
                Nonlinearity = Activation.Parse(parse.GetValue(nonlinearity)!),
                Bias = !parse.GetValue(noBias),
                Stacking = RnnOptions.ParseStacking(parse.GetValue(stacking)!),
                BatchFirst = parse.GetValue(batchFirst),
            };
            int t = parse.GetValue(seq);
            bool batchGiven = parse.GetResult(batch) is { Implicit: false };
            int[]? lengths = ParseLengths(parse.GetValue(lengthsOption)!, t, parse.GetValue(batch), batchGiven, parse.GetValue(seed));
            int b = lengths?.Length ?? parse.GetValue(batch);
            return Run(options, t, b, parse.GetValue(seed), parse.GetValue(tolerance), parse.InvocationConfiguration.Output, lengths);
        });
        return command;
    }

    /// <summary>
    /// The lengths <c>--lengths</c> asks for: null for <c>all</c>; for <c>uniform</c>, B lengths drawn from 1..T with a
    /// generator seeded by <paramref name="seed"/>; otherwise a comma-separated list, one length in [1, T] per sequence.
    /// </summary>
    public static int[]? ParseLengths(string text, int sequenceLength, int batch, bool batchGiven, ulong seed)
    {
        switch (text.Trim())
        {
            case "all":
                return null;
            case "uniform":
                var random = new SeededRandom(seed ^ 0x1E46_7415UL);
                return [.. Enumerable.Range(0, batch).Select(_ => 1 + random.NextInt(sequenceLength))];
        }
        string[] items = text.Split(',', StringSplitOptions.TrimEntries);
        var lengths = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            if (!int.TryParse(items[i], NumberStyles.None, CultureInfo.InvariantCulture, out lengths[i]))
                throw new UsageException($"--lengths must be all, uniform or a list of lengths such as 12,7,3, not '{text}'.");
            if (lengths[i] < 1 || lengths[i] > sequenceLength)
                throw new UsageException($"--lengths: each length must be in [1, --seq={sequenceLength}], not {lengths[i]}.");
        }
        if (batchGiven && lengths.Length != batch)
            throw new UsageException($"--lengths lists {lengths.Length} lengths but --batch is {batch}; give one length per sequence.");
        return lengths;
    }

    /// <summary>Runs the check and prints the table; returns 0 only if every error is below <paramref name="tolerance"/>.</summary>
    /// <param name="lengths">Per-sequence lengths [B], or null for T each.</param>
    public static int Run(RnnOptions options, int sequenceLength, int batch, ulong seed, double tolerance, TextWriter output, int[]? lengths = null)
    {
        long parameters = 0;
        var results = GradientCheck.Run(options, sequenceLength, batch, seed, lengths: lengths);
        foreach (var r in results) parameters += r.Count;
        string cellText = options.Cell == CellKind.Rnn ? "" : $"cell={RnnOptions.CellName(options.Cell)} ";
        output.WriteLine($"gradcheck: {cellText}I={options.InputSize} H={options.HiddenSize} L={options.NumLayers} D={options.NumDirections} " +
            $"{(options.Cell == CellKind.Rnn ? $"f={Activation.Name(options.Nonlinearity)} " : "")}bias={(options.Bias ? "on" : "off")} stacking={RnnOptions.StackingName(options.Stacking)} " +
            $"T={sequenceLength} B={batch}{(lengths is null ? "" : $" lengths={string.Join(',', lengths)}")}, float64, {parameters} values perturbed");
        int nameWidth = Math.Max(10, results.Max(r => r.Name.Length));
        output.WriteLine($"{"tensor".PadRight(nameWidth)}  {"elements",8}  {"max abs error",13}  {"rel error",10}  ok");
        bool allPass = true;
        foreach (var r in results)
        {
            bool pass = r.RelativeError < tolerance;
            allPass &= pass;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name.PadRight(nameWidth)}  {r.Count,8}  {r.MaxAbsoluteError,13:0.00e+00}  {r.RelativeError,10:0.00e+00}  {(pass ? "yes" : "NO")}"));
        }
        double worst = results.Max(r => r.RelativeError);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(allPass ? "PASS" : "FAIL")}: worst relative error {worst:0.00e+00} (tolerance {tolerance:0e+00})"));
        return allPass ? ExitCodes.Ok : ExitCodes.Failure;
    }
}
