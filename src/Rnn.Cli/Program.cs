using Rnn.Cli;

return CommandLine.Invoke(CommandLine.CreateRoot(), args);
