using Rnn.Kernels;
using Rnn.Layers;

namespace Rnn.Tests.Layers;

/// <summary>The tutorial's eq. (2), s_t = f(U x_t + W s_{t-1}), and eq. (1), o_t = g(V s_t), worked by hand for two steps.</summary>
public class TutorialExampleTests
{
    [Fact]
    public void RecurrentNetwork_BasicRnnWithoutBias_ComputesEquationsOneAndTwoByHand()
    {
        // I = 2, H = 2, T = 2, B = 1, f = tanh, no bias, s_{-1} = 0.
        double[] u = [0.5, -0.25, 0.125, 1.0];  // U [H, I]
        double[] w = [0.75, -0.5, 0.25, 0.5];   // W [H, H]
        double[] x = [1.0, 2.0, -1.0, 0.5];     // x_0, x_1

        var rnn = new RecurrentNetwork<double>(new RnnOptions { InputSize = 2, HiddenSize = 2, Bias = false });
        u.CopyTo(rnn.Parameters.Value(rnn.Parameters["weight_ih_l0"]));
        w.CopyTo(rnn.Parameters.Value(rnn.Parameters["weight_hh_l0"]));
        var y = new double[4];
        var hN = new double[2];
        rnn.Forward(x, sequenceLength: 2, batch: 1, h0: default, y, hN);

        // t = 0: U x_0 = (0.5·1 − 0.25·2, 0.125·1 + 1·2) = (0, 2.125); W s_{-1} = 0.
        double s00 = Math.Tanh(0.0), s01 = Math.Tanh(2.125);
        // t = 1: U x_1 = (0.5·(−1) − 0.25·0.5, 0.125·(−1) + 1·0.5) = (−0.625, 0.375);
        //        W s_0 = (0.75·s00 − 0.5·s01, 0.25·s00 + 0.5·s01).
        double s10 = Math.Tanh(-0.625 + 0.75 * s00 - 0.5 * s01);
        double s11 = Math.Tanh(0.375 + 0.25 * s00 + 0.5 * s01);

        // Vectorised tanh may differ from Math.Tanh in the last bits: compare to 1e-15.
        double[] expected = [s00, s01, s10, s11];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], y[i], 1e-15);
        Assert.Equal(s10, hN[0], 1e-15);
        Assert.Equal(s11, hN[1], 1e-15);

        // Eq. (1) with g = identity: o_t = V s_t (the ulps of tanh above carry into o_t).
        var parameters = new Rnn.Tensors.ParameterSet<double>();
        var output = new Linear<double>(parameters, 2, 1, bias: false);
        new double[] { 2.0, -3.0 }.CopyTo(parameters.Value(output.Weight));
        var o = new double[2];
        output.Forward(y, rows: 2, o);
        Assert.Equal(2.0 * s00 - 3.0 * s01, o[0], 1e-14);
        Assert.Equal(2.0 * s10 - 3.0 * s11, o[1], 1e-14);
    }

    [Fact]
    public void RecurrentNetwork_Bidirectional_IsConcatenationOfForwardAndTimeReversedRuns()
    {
        var options = new RnnOptions { InputSize = 3, HiddenSize = 4, Bidirectional = true, Nonlinearity = Nonlinearity.Sigmoid };
        var bi = new RecurrentNetwork<double>(options, seed: 5);
        var forward = new RecurrentNetwork<double>(options with { Bidirectional = false }, seed: 1);
        var backward = new RecurrentNetwork<double>(options with { Bidirectional = false }, seed: 2);
        foreach (var (target, suffix) in new[] { (forward, ""), (backward, "_reverse") })
            foreach (var name in new[] { "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0" })
                bi.Parameters.Value(bi.Parameters[name + suffix]).CopyTo(target.Parameters.Value(target.Parameters[name]));

        int t = 6, b = 2, i = 3, h = 4;
        var random = new Rnn.Tensors.SeededRandom(9);
        var x = new double[t * b * i];
        random.FillNormal<double>(x, 0, 1);
        var reversedX = new double[x.Length];
        for (int step = 0; step < t; step++) x.AsSpan(step * b * i, b * i).CopyTo(reversedX.AsSpan((t - 1 - step) * b * i));

        var y = new double[t * b * 2 * h];
        bi.Forward(x, t, b, default, y, default);
        var yf = new double[t * b * h];
        var yr = new double[t * b * h];
        forward.Forward(x, t, b, default, yf, default);
        backward.Forward(reversedX, t, b, default, yr, default);

        for (int step = 0; step < t; step++)
            for (int n = 0; n < b; n++)
                for (int k = 0; k < h; k++)
                {
                    Assert.Equal(yf[(step * b + n) * h + k], y[(step * b + n) * 2 * h + k]);
                    Assert.Equal(yr[((t - 1 - step) * b + n) * h + k], y[(step * b + n) * 2 * h + h + k]);
                }
    }
}
