using Rnn.Losses;
using Rnn.Tensors;

namespace Rnn.Tests.Losses;

public class LossTests
{
    [Fact]
    public void SoftmaxCrossEntropy_LossAndGradient_MatchScalarReference()
    {
        var random = new SeededRandom(4);
        const int n = 9, v = 13;
        var logits = new double[n * v];
        random.FillNormal<double>(logits, 0, 2);
        int[] targets = Enumerable.Range(0, n).Select(i => (i * 5) % v).ToArray();
        var grad = new double[logits.Length];
        double loss = SoftmaxCrossEntropy.LossAndGradient<double>(logits, targets, v, grad);

        double expectedLoss = 0;
        for (int r = 0; r < n; r++)
        {
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.Exp(logits[r * v + j]);
            expectedLoss -= Math.Log(Math.Exp(logits[r * v + targets[r]]) / sum);
            for (int j = 0; j < v; j++)
            {
                double p = Math.Exp(logits[r * v + j]) / sum;
                Assert.Equal((p - (j == targets[r] ? 1 : 0)) / n, grad[r * v + j], 1e-15);
            }
        }
        Assert.Equal(expectedLoss / n, loss, 1e-13);
        Assert.Equal(expectedLoss, SoftmaxCrossEntropy.SumLoss<double>(logits, targets, v), 1e-12);
    }

    [Fact]
    public void SoftmaxCrossEntropy_HugeLogits_StayFinite()
    {
        float[] logits = [1000f, -1000f, 999f];
        var grad = new float[3];
        float loss = SoftmaxCrossEntropy.LossAndGradient<float>(logits, [2], 3, grad);
        Assert.True(float.IsFinite(loss));
        Assert.Equal(1.3132616f, loss, 1e-5f);   // −log(e^{-1} / (1 + e^{-1}))
        Assert.All(grad, g => Assert.True(float.IsFinite(g)));
        Assert.Equal(0f, grad.Sum(), 1e-6f);
    }

    [Fact]
    public void SoftmaxCrossEntropy_TargetOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.LossAndGradient<double>(new double[6], [0, 3], 3, new double[6]));
        Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.LossAndGradient<double>(new double[5], [0, 1], 3, new double[5]));
    }

    [Fact]
    public void SoftmaxCrossEntropy_Gradient_MatchesCentralDifferences()
    {
        var random = new SeededRandom(6);
        const int n = 4, v = 5;
        var logits = new double[n * v];
        random.FillNormal<double>(logits, 0, 1);
        int[] targets = [1, 4, 0, 2];
        var grad = new double[logits.Length];
        SoftmaxCrossEntropy.LossAndGradient<double>(logits, targets, v, grad);
        var scratch = new double[logits.Length];
        for (int i = 0; i < logits.Length; i++)
        {
            double saved = logits[i];
            logits[i] = saved + 1e-6;
            double plus = SoftmaxCrossEntropy.LossAndGradient<double>(logits, targets, v, scratch);
            logits[i] = saved - 1e-6;
            double minus = SoftmaxCrossEntropy.LossAndGradient<double>(logits, targets, v, scratch);
            logits[i] = saved;
            Assert.Equal((plus - minus) / 2e-6, grad[i], 1e-8);
        }
    }

    [Fact]
    public void MeanSquaredError_LossAndGradient_AreMeanOfSquaresAndTwiceDifferenceOverN()
    {
        double[] p = [1, 2, 3, 4], y = [0, 2, 5, 3];
        var g = new double[4];
        double loss = MeanSquaredError.LossAndGradient<double>(p, y, g);
        Assert.Equal((1 + 0 + 4 + 1) / 4.0, loss, 1e-15);
        Assert.Equal([0.5, 0, -1, 0.5], g);
        Assert.Throws<ArgumentException>(() => MeanSquaredError.LossAndGradient<double>(p, new double[3], g));
    }
}
