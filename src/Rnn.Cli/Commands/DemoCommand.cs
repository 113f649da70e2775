using System.CommandLine;

namespace Rnn.Cli.Commands;

/// <summary><c>rnn demo</c>: the Quickstart's main job.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("demo", "Train a small model on built-in data and show what it learned.");
        command.SetAction(parse => ExitCodes.Ok);
        return command;
    }
}
