using Rnn.Models;
using Rnn.Optim;
using Rnn.Serialization;
using Rnn.Training;

namespace Rnn.Tests.Training;

/// <summary>The share of the time validation points may take, with a clock the test moves (nothing is timed).</summary>
public sealed class EvaluationBudgetTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Allows_WithinTheAllowance_RunsWhateverTheShare()
    {
        var budget = new EvaluationBudget(0.1, allowance: Ms(500));
        budget.Record(Ms(400));

        Assert.True(budget.Allows(Ms(410)));
        Assert.Equal(0, budget.Skipped);
    }

    [Fact]
    public void Allows_PastTheShare_SkipsUntilTheTimeCatchesUp()
    {
        var budget = new EvaluationBudget(0.1, allowance: TimeSpan.Zero);
        Assert.True(budget.Allows(Ms(100)));
        budget.Record(Ms(50));

        Assert.False(budget.Allows(Ms(200)));     // 50 of 200 ms: 25%
        Assert.False(budget.Allows(Ms(499)));
        Assert.True(budget.Allows(Ms(500)));      // 50 of 500 ms: 10%
        Assert.Equal(2, budget.Skipped);
        Assert.Equal(1, budget.Taken);
        Assert.Equal(0.1, budget.SpentShare(Ms(500)), 12);
    }

    [Fact]
    public void Allows_FullShare_NeverSkips()
    {
        var budget = new EvaluationBudget(1, TimeSpan.Zero);
        budget.Record(Ms(1_000));

        Assert.True(budget.Allows(Ms(1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Constructor_ShareOutOfRange_IsRefused(double share)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EvaluationBudget(share));
    }

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class ManualClock : TimeProvider
    {
        public long Ticks { get; set; }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Ticks;

        public void Advance(TimeSpan time) => Ticks += time.Ticks;
    }

    /// <summary>Batches that cost 10 ms of the clock each and validations that cost <see cref="ValidationCost"/>.</summary>
    private sealed class TimedSource(ManualClock clock) : IBatchSource<float>
    {
        public TimeSpan ValidationCost { get; init; } = TimeSpan.FromMilliseconds(100);

        public int Validations { get; private set; }

        public int BatchesPerEpoch => 1_000;

        public long StepsPerBatch => 10;

        public string DataHash => "timed";

        public Span<float> CarriedState => [];

        public double TrainStep(SequenceModel<float> model, long position)
        {
            clock.Advance(TimeSpan.FromMilliseconds(10));
            return 1;
        }

        public void ResetCarriedState() { }

        public ValidationScore? Validate(SequenceModel<float> model)
        {
            clock.Advance(ValidationCost);
            Validations++;
            return new ValidationScore(1.0 / Validations);
        }
    }

    private static SequenceModel<float> TinyModel() => new(new ModelConfig
    {
        Task = ModelTask.Forecast,
        Network = new Rnn.Layers.RnnOptions { InputSize = 1, HiddenSize = 2 },
        OutputSize = 1,
        Head = HeadKind.FinalState,
    });

    [Fact]
    public void Run_SlowValidation_KeepsAutomaticPointsNearTheirShare()
    {
        var clock = new ManualClock();
        var source = new TimedSource(clock);
        var warnings = new List<string>();
        var progress = new List<TrainingProgress>();
        // 2,000 steps of 10 ms: automatic points every 100 steps (1 s), each validation 100 ms plus a 1 s allowance.
        var trainer = new Trainer<float>(TinyModel(), source, new ModelContents(), new TrainingOptions(), resume: null)
        {
            Clock = clock,
            Warning = warnings.Add,
            Progress = progress.Add,
        };
        trainer.Run(new StopCondition(Steps: 2_000));

        var budget = trainer.LastBudget!;
        Assert.Equal(20, budget.Taken + budget.Skipped);        // 20 due points, the last at the last step
        Assert.True(budget.Skipped == 0, $"{budget.Skipped} skipped"); // 100 ms per second of training stays within 10% + 1 s
        Assert.Empty(warnings);
        Assert.Equal(TimeSpan.FromMilliseconds(20 * 10 * 100 + 20 * 100), trainer.LastRunTime);
    }

    [Fact]
    public void Run_ValidationSlowerThanTraining_SkipsPointsAndSaysSo()
    {
        var clock = new ManualClock();
        var source = new TimedSource(clock) { ValidationCost = TimeSpan.FromMilliseconds(500) };
        var warnings = new List<string>();
        TrainingProgress? last = null;
        var trainer = new Trainer<float>(TinyModel(), source, new ModelContents(), new TrainingOptions(), resume: null)
        {
            Clock = clock,
            Warning = warnings.Add,
            Progress = p => last = p,
        };
        trainer.Run(new StopCondition(Steps: 2_000));

        var budget = trainer.LastBudget!;
        TimeSpan training = TimeSpan.FromMilliseconds(2_000 * 10);
        Assert.True(budget.Skipped > 0);
        // Every point that ran found the points before it within the allowance or the share; one point can overshoot.
        Assert.True(budget.Spent <= budget.Allowance + (trainer.LastRunTime * budget.Share) + TimeSpan.FromMilliseconds(500) * 2,
            $"{budget.Spent} of {trainer.LastRunTime}");
        Assert.Equal(training + budget.Spent, trainer.LastRunTime);
        Assert.Single(warnings);
        Assert.Contains("skip points to stay near 10%", warnings[0]);
        Assert.Equal(budget.Skipped, last!.SkippedEvaluations);
        Assert.Equal(source.Validations, budget.Taken);
        Assert.Equal(budget.Taken, trainer.State.History.Count);
    }

    [Fact]
    public void Run_FixedInterval_RunsEveryPointWhateverItCosts()
    {
        var clock = new ManualClock();
        var source = new TimedSource(clock) { ValidationCost = TimeSpan.FromSeconds(5) };
        var trainer = new Trainer<float>(TinyModel(), source, new ModelContents(), new TrainingOptions { EvaluateEvery = 50 }, resume: null) { Clock = clock };
        trainer.Run(new StopCondition(Steps: 500));

        Assert.Equal(10, trainer.LastBudget!.Taken);
        Assert.Equal(0, trainer.LastBudget.Skipped);
        Assert.Equal([50L, 100, 150, 200, 250, 300, 350, 400, 450, 500], trainer.State.History.Select(p => p.Step));
    }
}
