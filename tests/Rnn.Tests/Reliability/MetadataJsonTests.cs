using System.Text.Json;
using CsCheck;
using Rnn.Models;
using Rnn.Data;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Reliability;

/// <summary>
/// The JSON documents in a model file's metadata, fuzzed directly (faster than through whole files, so many more
/// cases): each lying variant parses into something usable or is an <see cref="InvalidDataException"/>.
/// </summary>
public sealed class MetadataJsonTests
{
    private static readonly string Text = HostileFiles.Corpus + " café 我 🙂 don't well-known end...";

    [Fact]
    public void VocabularyFromJson_LyingJson_ParsesIntoAWorkingVocabularyOrThrowsInvalidData()
    {
        var gen = Gen.Bool.SelectMany(words => JsonLies.Of(Vocabulary.Build(Text, words ? TokenKind.Word : TokenKind.Character, maxSize: 60).ToJson()));
        var (accepted, rejected) = Fuzz.Run(gen, cases: 4_000, seed: 11, lie =>
        {
            Vocabulary vocabulary;
            try
            {
                vocabulary = Vocabulary.FromJson(lie.Json);
            }
            catch (InvalidDataException)
            {
                return false;
            }
            int[] ids = vocabulary.Encode(Text);
            Assert.All(ids, id => Assert.InRange(id, 0, vocabulary.Count - 1));
            vocabulary.Decode(ids);
            Assert.Equal(vocabulary.ToJson(), Vocabulary.FromJson(vocabulary.ToJson()).ToJson());
            return true;
        }, lie => lie.What);
        Assert.True(accepted > 0 && rejected > 0, $"{accepted} accepted, {rejected} rejected");
    }

    [Fact]
    public void LanguageModelConfigFromJson_LyingJson_ParsesIntoAValidConfigOrThrowsInvalidData()
    {
        string json = new LanguageModelConfig { VocabularySize = 40, EmbeddingSize = 8, HiddenSize = 16, NumLayers = 2, Dropout = 0.1 }.ToJson();
        var (accepted, rejected) = Fuzz.Run(JsonLies.Of(json), cases: 3_000, seed: 12, lie =>
        {
            try
            {
                LanguageModelConfig.FromJson(lie.Json).Validate();
                return true;
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }, lie => lie.What);
        Assert.True(accepted > 0 && rejected > 0, $"{accepted} accepted, {rejected} rejected");
    }

    [Fact]
    public void TrainingStateJson_LyingJson_ValidatesOrThrowsInvalidData()
    {
        var state = new TrainingState
        {
            Step = 12, ChunksSeen = 14, SkippedSteps = 2, RandomState = [1, 2, 3, 4], BestValidationLoss = 2.5, Seconds = 3.5,
            CorpusHash = "AB12", Options = new TrainingOptions { SequenceLength = 8, BatchSize = 4 },
            History = [new LossPoint(6, 3.1, 3.0), new LossPoint(12, double.NaN, null)],
        };
        string json = JsonSerializer.Serialize(state, Checkpoint.Json);
        var (accepted, rejected) = Fuzz.Run(JsonLies.Of(json), cases: 3_000, seed: 13, lie =>
        {
            // The same steps as Checkpoint.Load, which turns these exceptions into InvalidDataException.
            try
            {
                var parsed = JsonSerializer.Deserialize<TrainingState>(lie.Json, Checkpoint.Json) ?? throw new InvalidDataException("null");
                parsed.Validate();
                return true;
            }
            catch (Exception e) when (e is InvalidDataException or JsonException or ArgumentException or NotSupportedException)
            {
                return false;
            }
        }, lie => lie.What);
        Assert.True(accepted > 0 && rejected > 0, $"{accepted} accepted, {rejected} rejected");
    }
}
