namespace Rnn.Cli;

/// <summary>A problem with what the user asked for (an option out of range, a missing file): exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
