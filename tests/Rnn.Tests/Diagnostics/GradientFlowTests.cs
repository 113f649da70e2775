using Rnn.Cli.Demos;
using Rnn.Diagnostics;
using Rnn.Kernels;
using Rnn.Layers;
using Rnn.Models;
using Rnn.Optim;
using Rnn.Tensors;
using Rnn.Data;
using Rnn.Training;

namespace Rnn.Tests.Diagnostics;

/// <summary>The tutorial's δ_kᵀ = δ_tᵀ Π W diag[f'(net_i)], measured: exact decay for a scaled orthogonal W, and its bound.</summary>
public class GradientFlowTests
{
    private static GradientFlowOptions Options(Nonlinearity f, double radius, bool orthogonal, int layers = 1) => new()
    {
        Network = new RnnOptions { InputSize = 3, HiddenSize = 16, NumLayers = layers, Nonlinearity = f },
        SequenceLength = 120,
        BatchSize = 4,
        SpectralRadius = radius,
        Orthogonal = orthogonal,
        Seed = 5,
    };

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(1.0)]
    [InlineData(1.1)]
    [InlineData(1.5)]
    public void Measure_IdentityWithOrthogonalTimesR_NormsFollowRToTheDistance(double r)
    {
        // f = identity, W = r·Q: δ_k = δ_{k+1}·W and ‖v·Q‖ = ‖v‖, so ‖δ_k‖ = r^{t−k} ‖δ_t‖ exactly.
        var run = GradientFlow.Measure(Options(Nonlinearity.Identity, r, orthogonal: true));
        double[] norms = run.Norms[0];
        int t = norms.Length - 1;
        Assert.Equal(1.0, norms[t], 1e-12);     // ‖dY‖ = 1 and f' = 1
        for (int k = 0; k <= t; k++)
        {
            double expected = Math.Pow(r, t - k);
            Assert.True(Math.Abs(norms[k] / expected - 1) < 0.02, $"k = {k}: ‖δ_k‖ = {norms[k]:E6}, r^(t−k) = {expected:E6}");
        }
        Assert.Equal(Math.Log10(r), run.Slope(0), 1e-9);
        Assert.Equal(r, run.SpectralRadii[0], 1e-9);
        Assert.Equal(r, run.LargestSingularValues[0], 1e-9);
    }

    [Theory]
    [InlineData(Nonlinearity.Tanh, 1.0, 1.0)]
    [InlineData(Nonlinearity.Tanh, 1.5, 1.0)]
    [InlineData(Nonlinearity.Relu, 1.5, 1.0)]
    [InlineData(Nonlinearity.Sigmoid, 1.5, 0.25)]
    public void Measure_RescaledRandomW_EveryStepObeysTheSingularValueBound(Nonlinearity f, double radius, double maxDerivative)
    {
        // ‖δ_k‖ = ‖(δ_{k+1}·W) ⊙ f'(s_k)‖ ≤ max|f'| · σ_max(W) · ‖δ_{k+1}‖ for every k below the last.
        var run = GradientFlow.Measure(Options(f, radius, orthogonal: false));
        double[] norms = run.Norms[0];
        double bound = maxDerivative * run.LargestSingularValues[0];
        Assert.Equal(radius, run.SpectralRadii[0], 1e-3);
        for (int k = 0; k < norms.Length - 1; k++)
            Assert.True(norms[k] <= bound * norms[k + 1] * (1 + 1e-9), $"k = {k}: {norms[k]:E4} > {bound:F4} × {norms[k + 1]:E4}");
    }

    [Fact]
    public void Measure_Clipped_IsUnclippedTimesTheClipFactorWithTheSameSlope()
    {
        var plain = GradientFlow.Measure(Options(Nonlinearity.Identity, 1.05, orthogonal: true));
        var clipped = GradientFlow.Measure(Options(Nonlinearity.Identity, 1.05, orthogonal: true) with { ClipNorm = 1e-2 });
        Assert.Equal(plain.GradientNorm, clipped.GradientNorm);
        Assert.Equal(1e-2 / (plain.GradientNorm + 1e-6), clipped.ClipScale, 1e-15);
        for (int k = 0; k < plain.Norms[0].Length; k++)
            Assert.Equal(plain.Norms[0][k] * clipped.ClipScale, clipped.Norms[0][k], 1e-12 * plain.Norms[0][k]);
        Assert.Equal(plain.Slope(0), clipped.Slope(0), 1e-9);
    }

    [Fact]
    public void Measure_TwoLayers_ReportsEveryLayerAndStep()
    {
        var run = GradientFlow.Measure(Options(Nonlinearity.Tanh, 0.9, orthogonal: false, layers: 2));
        Assert.Equal(2, run.Norms.Count);
        Assert.All(run.Norms, norms => Assert.Equal(120, norms.Length));
        Assert.All(run.Norms, norms => Assert.All(norms, n => Assert.True(n > 0 && double.IsFinite(n))));
    }

    [Fact]
    public void SpectralRadius_NonNormalMatrixWithComplexPair_IsTheLargestEigenvalueModulusNotTheNorm()
    {
        // Block diagonal: 0.95·rotation(1 rad) (eigenvalues 0.95·e^{±i}, a complex pair) and the non-normal
        // [[0.9, 5], [0, 0.5]] (eigenvalues 0.9 and 0.5, largest singular value ≈ 5.10).
        double c = 0.95 * Math.Cos(1), s = 0.95 * Math.Sin(1);
        double[] w =
        [
            c, -s, 0, 0,
            s, c, 0, 0,
            0, 0, 0.9, 5,
            0, 0, 0, 0.5,
        ];
        Assert.Equal(0.95, GradientFlow.SpectralRadius(w, 4), 1e-9);
        // σ_max² is the largest eigenvalue of AᵀA = [[0.81, 4.5], [4.5, 25.25]] for the triangular block A.
        double trace = 0.81 + 25.25, determinant = 0.81 * 25.25 - 4.5 * 4.5;
        double expected = Math.Sqrt((trace + Math.Sqrt(trace * trace - 4 * determinant)) / 2);
        Assert.Equal(expected, GradientFlow.LargestSingularValue(w, 4), 1e-9);
    }

    [Fact]
    public void SpectralRadius_NilpotentMatrix_IsZero()
    {
        double[] w = [0, 1, 0, 0];
        Assert.Equal(0, GradientFlow.SpectralRadius(w, 2));
    }

    [Fact]
    public void FillOrthogonal_AnySize_RowsAreOrthonormal()
    {
        const int n = 24;
        var q = new double[n * n];
        GradientFlow.FillOrthogonal(q, n, new SeededRandom(3));
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += q[i * n + k] * q[j * n + k];
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-13);
            }
    }

    [Fact]
    public void Slope_ExactGeometricSequence_IsLog10OfTheRatio()
    {
        double[] norms = [.. Enumerable.Range(0, 30).Select(k => Math.Pow(0.8, 29 - k))];
        Assert.Equal(Math.Log10(0.8), GradientFlow.Slope(norms), 1e-12);
        Assert.True(double.IsNaN(GradientFlow.Slope([0.0, 0.0, 1.0])));
    }

    [Fact]
    public void DeltaNorms_BeforeAnyBackward_AreZero()
    {
        var network = new RecurrentNetwork<float>(new RnnOptions { InputSize = 2, HiddenSize = 3 });
        Assert.All(GradientFlow.DeltaNorms(network, 5)[0], n => Assert.Equal(0, n));
    }

    [Fact]
    public void Trainer_ValidationPointCallback_GivesEveryLayersDeltasAtEachValidation()
    {
        string corpus = DemoCorpus.Generate(approximateBytes: 8_000, seed: 3);
        var vocabulary = Vocabulary.Build(corpus, TokenKind.Character);
        var (train, validation) = BatchStreams.Split(vocabulary.Encode(corpus), 0.1);
        var model = new LanguageModel<float>(new LanguageModelConfig
        {
            VocabularySize = vocabulary.Count, EmbeddingSize = 8, HiddenSize = 16, NumLayers = 2,
        }, seed: 5);
        var calls = new List<(long Step, double[][] Norms)>();
        var options = new TrainingOptions { SequenceLength = 12, BatchSize = 4, Seed = 5, EvaluateEvery = 5 };
        new Trainer<float>(model, vocabulary, train, validation, options) { ValidationPoint = (step, trained) => calls.Add((step, GradientFlow.DeltaNorms(trained.Rnn, 12))) }
            .Run(new StopCondition(Steps: 10));

        Assert.Equal([5L, 10L], calls.Select(c => c.Step));
        Assert.All(calls, c => Assert.Equal(2, c.Norms.Length));
        Assert.All(calls, c => Assert.All(c.Norms, layer => Assert.Equal(12, layer.Length)));
        Assert.All(calls, c => Assert.All(c.Norms, layer => Assert.All(layer, n => Assert.True(n > 0 && double.IsFinite(n)))));
    }

    [Fact]
    public void Measure_Bidirectional_IsRefused()
    {
        var options = Options(Nonlinearity.Tanh, 1, false) with { Network = new RnnOptions { InputSize = 2, HiddenSize = 3, Bidirectional = true } };
        Assert.Throws<ArgumentException>(() => GradientFlow.Measure(options));
    }
}
