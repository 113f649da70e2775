namespace Rnn.Tests.Cli;

/// <summary><c>rnn gradflow</c> end to end: the table, the PNG, and one clear line for bad values.</summary>
public sealed class GradFlowCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("rnn-gradflow-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (int Code, string Output, string Error) Run(params string[] args) => CliRunner.Run(args);

    [Fact]
    public void GradFlow_SmallRun_PrintsOneRowPerRunAndWritesThePng()
    {
        string png = Path.Combine(_folder, "flow.png");
        var (code, output, error) = Run("gradflow", "--hidden", "8", "--seq", "30", "--batch", "2", "--layers", "2",
            "--nonlinearity", "tanh,identity", "--spectral-radius", "0.8,1.2", "--clip", "0.5", "--out", png);
        Assert.True(code == 0, error);
        // 2 activations × 2 radii × (plain, clipped) runs × 2 layers.
        Assert.Equal(16, output.Split('\n').Count(line => line.StartsWith("tanh ", StringComparison.Ordinal) || line.StartsWith("identity ", StringComparison.Ordinal)));
        Assert.Contains("identity ρ=1.2 clip 0.5", output);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
    }

    [Theory]
    [InlineData("--spectral-radius", "0")]
    [InlineData("--spectral-radius", "1,x")]
    [InlineData("--nonlinearity", "tanh,softplus")]
    [InlineData("--clip", "-1")]
    [InlineData("--seq", "1")]
    public void GradFlow_BadValue_ExitsTwoWithOneLine(string option, string value)
    {
        var (code, _, error) = Run("gradflow", option, value, "--out", Path.Combine(_folder, "x.png"));
        Assert.Equal(2, code);
        Assert.StartsWith("rnn: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void Demo_UnknownTask_ExitsTwo()
    {
        var (code, _, error) = Run("demo", "--task", "poetry");
        Assert.Equal(2, code);
        Assert.StartsWith("rnn: ", error);
    }
}
