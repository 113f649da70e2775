using Rnn.Layers;
using Rnn.Tensors;

namespace Rnn.Benchmarks;

/// <summary>An RNN in float32 with a random x [T, B, I] and a fixed random G [T, B, D·H]: a train step is the forward pass
/// and the backward of Σ y ⊙ G (every parameter gradient and dX).</summary>
internal sealed class RnnTrainStep
{
    private readonly RecurrentNetwork<float> _rnn;
    private readonly float[] _x, _y, _g, _dx;
    private readonly int _sequenceLength, _batch;

    public RnnTrainStep(RnnOptions options, int sequenceLength, int batch)
    {
        (_sequenceLength, _batch) = (sequenceLength, batch);
        _rnn = new RecurrentNetwork<float>(options, seed: 1);
        var random = new SeededRandom(2);
        _x = new float[sequenceLength * batch * options.InputSize];
        _g = new float[sequenceLength * batch * options.OutputSize];
        _y = new float[_g.Length];
        _dx = new float[_x.Length];
        random.FillNormal<float>(_x, 0, 1);
        random.FillNormal<float>(_g, 0, 1);
    }

    /// <summary>One train step, with per-sequence lengths [B] or (empty) every sequence T long.</summary>
    public void Train(ReadOnlySpan<int> lengths = default)
    {
        _rnn.Parameters.ZeroGradients();
        _rnn.Forward(_x, _sequenceLength, _batch, default, _y, default, lengths: lengths);
        _rnn.Backward(_g, default, _dx, default);
    }

    /// <summary>One forward pass.</summary>
    public void Forward() => _rnn.Forward(_x, _sequenceLength, _batch, default, _y, default);
}
