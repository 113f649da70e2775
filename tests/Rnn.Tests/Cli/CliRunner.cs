namespace Rnn.Tests.Cli;

/// <summary>Runs the <c>rnn</c> command in process and captures what it prints.</summary>
public static class CliRunner
{
    /// <summary>The exit code, standard output and standard error of <c>rnn ARGS</c>.</summary>
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Rnn.Cli.CommandLine.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
