namespace Rnn.Tests.Data;

/// <summary>
/// Tests that put user words into jieba.NET's process-wide dictionary. The library swaps them in and out under a lock,
/// but these tests also run alone, so that no other test ever cuts text while a user dictionary is in place.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class JiebaDictionaryCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "jieba's process-wide dictionary";
}
