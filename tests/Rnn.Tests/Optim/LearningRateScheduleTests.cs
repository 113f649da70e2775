using Rnn.Optim;

namespace Rnn.Tests.Optim;

public class LearningRateScheduleTests
{
    [Fact]
    public void Constant_AnyStep_ReturnsTheRate()
    {
        var schedule = LearningRateSchedule.Constant(2e-3);
        Assert.True(schedule.IsConstant);
        Assert.Equal(2e-3, schedule.RateAt(0));
        Assert.Equal(2e-3, schedule.RateAt(long.MaxValue));
    }

    [Fact]
    public void RateAt_Staircase_DecaysFromStartThenEveryN()
    {
        var schedule = new LearningRateSchedule(1, decayFactor: 0.5, decayEverySteps: 10, decayStartStep: 20);
        Assert.Equal(1, schedule.RateAt(0));
        Assert.Equal(1, schedule.RateAt(19));
        Assert.Equal(0.5, schedule.RateAt(20));
        Assert.Equal(0.5, schedule.RateAt(29));
        Assert.Equal(0.25, schedule.RateAt(30));
        Assert.Equal(0.125, schedule.RateAt(40));
        Assert.Equal(3, schedule.DecaysAt(45));
    }

    [Fact]
    public void PerEpoch_MatchesCharRnnLoop()
    {
        // char-rnn, after iteration i (1-based): if i % ipe == 0 and epoch = i/ipe >= decay_after then lr *= decay.
        const int stepsPerEpoch = 7, decayAfter = 3;
        var schedule = LearningRateSchedule.PerEpoch(2e-3, 0.97, decayAfter, stepsPerEpoch);
        double lr = 2e-3;
        for (long i = 1; i <= 100; i++)
        {
            double scheduled = schedule.RateAt(i - 1);
            Assert.True(Math.Abs(scheduled - lr) <= 1e-15 * lr, $"iteration {i}: {scheduled:R} vs char-rnn {lr:R}");
            if (i % stepsPerEpoch == 0 && i / stepsPerEpoch >= decayAfter) lr *= 0.97;
        }
    }

    [Fact]
    public void PerEpoch_DecayAfterZero_FirstDecayAfterFirstEpoch()
    {
        var schedule = LearningRateSchedule.PerEpoch(1, 0.5, decayAfterEpochs: 0, stepsPerEpoch: 4);
        Assert.Equal(1, schedule.RateAt(3));
        Assert.Equal(0.5, schedule.RateAt(4));
    }

    [Fact]
    public void Constructor_BadArguments_ThrowNamingThem()
    {
        Assert.Equal("initialRate", Assert.ThrowsAny<ArgumentException>(() => new LearningRateSchedule(-1)).ParamName);
        Assert.Equal("initialRate", Assert.ThrowsAny<ArgumentException>(() => new LearningRateSchedule(double.NaN)).ParamName);
        Assert.Equal("decayFactor", Assert.ThrowsAny<ArgumentException>(() => new LearningRateSchedule(1, decayFactor: 0)).ParamName);
        Assert.Equal("decayFactor", Assert.ThrowsAny<ArgumentException>(() => new LearningRateSchedule(1, decayFactor: 1.5)).ParamName);
        Assert.Equal("decayEverySteps", Assert.ThrowsAny<ArgumentException>(() => new LearningRateSchedule(1, 0.5, decayEverySteps: 0)).ParamName);
        Assert.Equal("decayStartStep", Assert.ThrowsAny<ArgumentException>(() => new LearningRateSchedule(1, 0.5, 1, decayStartStep: -1)).ParamName);
        Assert.Equal("stepsPerEpoch", Assert.ThrowsAny<ArgumentException>(() => LearningRateSchedule.PerEpoch(1, 0.5, 1, 0)).ParamName);
        Assert.Equal("step", Assert.ThrowsAny<ArgumentException>(() => LearningRateSchedule.Constant(1).RateAt(-1)).ParamName);
    }
}
