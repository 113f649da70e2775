using Rnn.Layers;
using Rnn.Models;

namespace Rnn.Tests.Layers;

/// <summary>After the first step of a shape, a train step allocates nothing on the managed heap (this thread).</summary>
public class AllocationTests
{
    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void RecurrentNetwork_TrainStepAfterWarmUp_AllocatesNothing(CellKind cell)
    {
        var options = new RnnOptions { Cell = cell, InputSize = 5, HiddenSize = 8, NumLayers = 2, Bidirectional = true, Dropout = 0.2 };
        var rnn = new RecurrentNetwork<float>(options, seed: 1)
        {
            Training = true,
        };
        var x = new float[7 * 3 * 5];
        var y = new float[7 * 3 * 16];
        var dx = new float[x.Length];
        var h = new float[4 * 3 * 8];
        var c = new float[options.HasCellState ? h.Length : 0];
        void Step()
        {
            rnn.Parameters.ZeroGradients();
            rnn.Forward(x, 7, 3, h, y, h, c, c);
            rnn.Backward(y, h, dx, h, c, c);
        }
        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(CellKind.Rnn)]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    public void LanguageModel_TrainStepAfterWarmUp_AllocatesNothing(CellKind cell)
    {
        var model = new LanguageModel<float>(new LanguageModelConfig { Cell = cell, VocabularySize = 11, EmbeddingSize = 4, HiddenSize = 8, NumLayers = 2 }, seed: 1);
        int[] tokens = Enumerable.Range(0, 6 * 2).Select(i => i % 11).ToArray();
        var state = new float[model.StateSize(2)];
        model.TrainStep(tokens, tokens, 6, 2, state);
        long before = GC.GetAllocatedBytesForCurrentThread();
        model.Parameters.ZeroGradients();
        model.TrainStep(tokens, tokens, 6, 2, state);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
