using System.CommandLine;
using System.CommandLine.Help;
using Rnn.Cli.Commands;
using Rnn.Layers;

namespace Rnn.Cli;

/// <summary>Parses and runs a command line: parse errors are one line each and exit code 2.</summary>
public static class CommandLine
{
    /// <summary>The name people type, shown in every usage line of the help.</summary>
    public const string Name = "rnn";

    /// <summary>The <c>rnn</c> command with all its verbs.</summary>
    /// <remarks>
    /// A <see cref="RootCommand"/> is named after the entry assembly (Rnn.Cli, or the test host in tests) and the name
    /// cannot be changed, so the root is a plain command named <c>rnn</c> with the help and version options a
    /// <see cref="RootCommand"/> would add.
    /// </remarks>
    public static Command CreateRoot() => new(Name, "rnn: recurrent neural networks — train a language model, classifier, tagger or forecaster, predict with it, check BPTT.")
    {
        new HelpOption(),
        new VersionOption(),
        DemoCommand.Create(),
        TrainCommand.Create(),
        SampleCommand.Create(),
        PredictCommand.Create(),
        EvalCommand.Create(),
        InfoCommand.Create(),
        GradCheckCommand.Create(),
        BenchCommand.Create(),
        GradFlowCommand.Create(),
        ImportCommand.Create(),
        ExportCommand.Create(),
    };

    /// <summary>Runs <c>rnn</c> with <paramref name="args"/>, writing to the given writers (the console by default).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error) => Invoke(CreateRoot(), args, output, error);

    /// <summary>Runs <paramref name="root"/> on <paramref name="args"/>.</summary>
    public static int Invoke(Command root, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        error ??= Console.Error;
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            // Some parser messages list the allowed values on lines of their own; every message must stay one line.
            foreach (var e in result.Errors) error.WriteLine($"rnn: {string.Join(' ', e.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries))}");
            error.WriteLine("Try 'rnn --help'.");
            return ExitCodes.Usage;
        }
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        if (output is not null) configuration.Output = output;
        configuration.Error = error;
        return ExitCodes.Run(() => result.Invoke(configuration), error);
    }

    /// <summary>An option that must be a positive integer.</summary>
    public static Option<int> PositiveInt(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            // Only a value that parsed as a number is checked here; the parser already reports the others.
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, out int value) && value <= 0)
                r.AddError($"{name} must be a positive integer, not {value}.");
        });
        return option;
    }

    /// <summary>An option restricted to a fixed set of words.</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, params string[] choices)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.AcceptOnlyFromAmong(choices);
        return option;
    }

    /// <summary>Parses a comma-separated list of cells (<c>rnn,lstm,gru</c>), each at most once, for option <paramref name="option"/>.</summary>
    public static IReadOnlyList<CellKind> ParseCells(string list, string option)
    {
        var cells = new List<CellKind>();
        foreach (string name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            CellKind cell;
            try { cell = RnnOptions.ParseCell(name); }
            catch (ArgumentException) { throw new UsageException($"{option}: unknown cell '{name}'; expected rnn, lstm or gru."); }
            if (cells.Contains(cell)) throw new UsageException($"{option}: '{name}' is listed twice.");
            cells.Add(cell);
        }
        return cells.Count > 0 ? cells : throw new UsageException($"{option} needs at least one cell.");
    }
}
