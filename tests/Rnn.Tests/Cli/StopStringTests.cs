using Rnn.Cli;

namespace Rnn.Tests.Cli;

public sealed class StopStringTests
{
    [Theory]
    [InlineData(@"\n\n", "\n\n")]
    [InlineData(@"a\tb", "a\tb")]
    [InlineData(@"\\n", @"\n")]
    [InlineData(@"\x", @"\x")]
    [InlineData(@"end\", @"end\")]
    [InlineData("。", "。")]
    public void Unescape_Escapes_BecomeTheirCharacters(string value, string expected) => Assert.Equal(expected, StopString.Unescape(value));

    [Fact]
    public void Completes_StringSplitAcrossTokens_IsFoundAtItsLastPiece()
    {
        var stop = new StopString("\n\n");

        Assert.False(stop.Completes("床前明月光。"));
        Assert.False(stop.Completes("\n"));
        Assert.True(stop.Completes("\n"));
    }

    [Fact]
    public void Completes_StringBegunInThePrime_EndsAtTheFirstDrawnPiece()
    {
        var stop = new StopString("\n\n");
        stop.Precede("举头望明月\n");

        Assert.True(stop.Completes("\n"));
    }

    [Fact]
    public void Precede_StringWhollyInThePrime_DoesNotEndTheSample()
    {
        var stop = new StopString("。");
        stop.Precede("床前明月光。");

        Assert.False(stop.Completes("疑"));
        Assert.True(stop.Completes("霜。"));
    }
}
