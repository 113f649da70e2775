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
    [InlineData("0")]
    [InlineData("3")]
    public void GradFlow_ThreeCells_PrintsASlopePerCellAndWritesOnePng(string trained)
    {
        string png = Path.Combine(_folder, "cells.png");
        var (code, output, error) = Run("gradflow", "--cell", "rnn,lstm,gru", "--trained", trained, "--hidden", "8", "--seq", "30", "--batch", "2", "--out", png);
        Assert.True(code == 0, error);
        string[] rows = [.. output.Split('\n').Where(line => line.StartsWith("rnn ", StringComparison.Ordinal) || line.StartsWith("lstm ", StringComparison.Ordinal) || line.StartsWith("gru ", StringComparison.Ordinal))];
        Assert.Equal(3, rows.Length);
        // Every row ends in a finite slope and its factor.
        Assert.All(rows, row => Assert.True(double.TryParse(row.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^2], System.Globalization.CultureInfo.InvariantCulture, out double slope) && double.IsFinite(slope), row));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png).Take(4));
    }

    [Theory]
    [InlineData("--cell", "rnn,cnn")]
    [InlineData("--trained", "-1")]
    [InlineData("--spectral-radius", "0")]
    [InlineData("--spectral-radius", "1,x")]
    [InlineData("--nonlinearity", "tanh,softplus")]
    [InlineData("--clip", "-1")]
    [InlineData("--seq", "1")]
    public void GradFlow_BadValue_ExitsTwoWithOneLine(string option, string value)
    {
        string[] cells = option == "--trained" ? ["--cell", "rnn"] : [];
        var (code, _, error) = Run(["gradflow", .. cells, option, value, "--out", Path.Combine(_folder, "x.png")]);
        Assert.Equal(2, code);
        Assert.StartsWith("rnn: ", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void DemoMemory_ThreeCells_PrintsAColumnPerCellAndWritesThePng()
    {
        var (code, output, error) = Run("demo", "--task", "memory", "--cell", "rnn,lstm,gru", "--steps", "5", "--hidden", "4",
            "--max-delay", "3", "--out-dir", _folder);
        Assert.True(code == 0, error);
        Assert.Contains("  delay      rnn    lstm     gru", output);
        Assert.Equal(3, output.Split('\n').Count(line => line.StartsWith("  d = ", StringComparison.Ordinal)));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(Path.Combine(_folder, "memory-by-delay.png")).Take(4));
    }

    [Theory]
    [InlineData("--cell", "rnn,tree")]
    [InlineData("--cell", "gru,gru")]
    [InlineData("--steps", "0")]
    [InlineData("--max-delay", "0")]
    public void DemoMemory_BadValue_ExitsTwoWithOneLine(string option, string value)
    {
        var (code, _, error) = Run("demo", "--task", "memory", option, value, "--out-dir", _folder);
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
