using System.CommandLine;
using Rnn.Cli;
using Rnn.Cli.Commands;

var root = new RootCommand("rnn: recurrent neural networks — train a text model, sample from it, check BPTT.")
{
    DemoCommand.Create(),
    TrainCommand.Create(),
    SampleCommand.Create(),
    EvalCommand.Create(),
    GradCheckCommand.Create(),
};
return CommandLine.Invoke(root, args);
