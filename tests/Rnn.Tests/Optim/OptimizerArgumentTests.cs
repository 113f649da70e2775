using Rnn.Optim;
using Rnn.Tensors;

namespace Rnn.Tests.Optim;

public class OptimizerArgumentTests
{
    private static ParameterSet<double> ThreeParameters()
    {
        var p = new ParameterSet<double>();
        p.Add("w", 3);
        return p;
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Create_BadLearningRate_ThrowsNamingIt(double learningRate)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Optimizer<double>.Create("adam", ThreeParameters(), learningRate));
        Assert.Equal("learningRate", e.ParamName);
        Assert.Contains("learning rate", e.Message);
    }

    [Fact]
    public void LearningRate_SetNegative_ThrowsAndKeepsOldRate()
    {
        var optimizer = Optimizer<double>.Create("sgd", ThreeParameters(), 0.1);
        var e = Assert.ThrowsAny<ArgumentException>(() => optimizer.LearningRate = -1);
        Assert.Equal("LearningRate", e.ParamName);
        Assert.Equal(0.1, optimizer.LearningRate);
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => Optimizer<double>.Create("rmsprop", ThreeParameters(), 0.1));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'rmsprop'", e.Message);
        Assert.Contains("sgd, adagrad, adam", e.Message);
    }

    [Theory]
    [InlineData("sgd", typeof(Sgd<double>))]
    [InlineData("Adagrad", typeof(Adagrad<double>))]
    [InlineData("ADAM", typeof(Adam<double>))]
    public void Create_KnownName_BuildsThatOptimizer(string name, Type expected)
    {
        var optimizer = Optimizer<double>.Create(name, ThreeParameters(), 0.1);
        Assert.IsType(expected, optimizer);
        Assert.Equal(name.ToLowerInvariant(), optimizer.Name);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void Create_MomentumForAdam_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => Optimizer<double>.Create("adam", ThreeParameters(), 0.1, momentum: 0.9));
        Assert.Equal("momentum", e.ParamName);
    }

    [Fact]
    public void Create_UnknownNameWithMomentum_ReportsTheName()
    {
        var e = Assert.Throws<ArgumentException>(() => Optimizer<double>.Create("rmsprop", ThreeParameters(), 0.1, momentum: 0.9));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void LoadState_WrongLength_ThrowsNamingBothLengths()
    {
        var optimizer = Optimizer<double>.Create("adam", ThreeParameters(), 0.1);
        var e = Assert.Throws<ArgumentException>(() => optimizer.LoadState("exp_avg", new double[4]));
        Assert.Equal("values", e.ParamName);
        Assert.Contains("4 elements; expected 3", e.Message);
    }

    [Fact]
    public void LoadState_UnknownName_ThrowsListingStateNames()
    {
        var optimizer = Optimizer<double>.Create("adam", ThreeParameters(), 0.1);
        var e = Assert.Throws<ArgumentException>(() => optimizer.LoadState("momentum", new double[3]));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("exp_avg, exp_avg_sq", e.Message);
    }

    [Fact]
    public void LoadState_PlainSgd_HasNoState()
    {
        var optimizer = Optimizer<double>.Create("sgd", ThreeParameters(), 0.1);
        var e = Assert.Throws<ArgumentException>(() => optimizer.LoadState("momentum", new double[3]));
        Assert.Contains("(none)", e.Message);
    }

    [Fact]
    public void StepCount_SetNegative_Throws()
    {
        var optimizer = Optimizer<double>.Create("adam", ThreeParameters(), 0.1);
        Assert.ThrowsAny<ArgumentException>(() => optimizer.StepCount = -1);
    }

    [Fact]
    public void Step_ParameterAddedAfterCreation_Throws()
    {
        var p = ThreeParameters();
        var optimizer = Optimizer<double>.Create("adagrad", p, 0.1);
        p.Add("late", 2);
        var e = Assert.Throws<InvalidOperationException>(optimizer.Step);
        Assert.Contains("created for 3", e.Message);
    }

    [Fact]
    public void Constructors_BadHyperparameters_Throw()
    {
        var p = ThreeParameters();
        Assert.Equal("momentum", Assert.ThrowsAny<ArgumentException>(() => new Sgd<double>(p, 0.1, momentum: -0.5)).ParamName);
        Assert.Equal("nesterov", Assert.ThrowsAny<ArgumentException>(() => new Sgd<double>(p, 0.1, nesterov: true)).ParamName);
        Assert.Equal("epsilon", Assert.ThrowsAny<ArgumentException>(() => new Adagrad<double>(p, 0.1, epsilon: -1)).ParamName);
        Assert.Equal("beta1", Assert.ThrowsAny<ArgumentException>(() => new Adam<double>(p, 0.1, beta1: 1)).ParamName);
        Assert.Equal("beta2", Assert.ThrowsAny<ArgumentException>(() => new Adam<double>(p, 0.1, beta2: double.NaN)).ParamName);
        Assert.Equal("epsilon", Assert.ThrowsAny<ArgumentException>(() => new Adam<double>(p, 0.1, epsilon: double.PositiveInfinity)).ParamName);
    }
}
