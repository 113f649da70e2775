using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class ForecastDatasetTests
{
    private static ForecastOptions Options(int t = 2, int k = 1) => new() { SequenceLength = t, Horizon = k };

    private static ForecastDataset Parse(string csv, ForecastOptions? options = null) => ForecastDataset.Parse(csv, "s.csv", options ?? Options());

    [Theory]
    [InlineData("2020-01-01", "2020-01-02", "2020-01-03")]
    [InlineData("2020", "2021", "2023")]
    [InlineData("2020-01", "2020-02", "2020-03")]
    [InlineData("2020Q1", "2020Q2", "2020Q3")]
    [InlineData("2020-Q1", "2020-Q2", "2020-Q3")]
    [InlineData("2020-01-01T10:00:00Z", "2020-01-01 11:00", "2020-01-01T12:00:00.5+02:00")]
    [InlineData("mon", "tue", "wed")]
    [InlineData("1.5", "x", "2")]
    [InlineData("0", "5", "10")]
    public void Parse_DateLikeNonNumericOrSteppedFirstColumn_IsTheIndexNotAnInput(string a, string b, string c)
    {
        var data = Parse($"when,value\n{a},1\n{b},2\n{c},3\n");

        Assert.Equal("when", data.IndexColumn);
        Assert.Equal([a, b, c], data.IndexLabels);
        Assert.Equal(["value"], data.InputColumns);
    }

    [Fact]
    public void Parse_NumericFirstColumnWithoutConstantStep_IsData()
    {
        var data = Parse("x,y\n1,1\n3,2\n4,3\n");

        Assert.Null(data.IndexColumn);
        Assert.Equal("y", data.TargetColumn);
    }

    [Fact]
    public void Parse_FirstColumnNamedAsInput_IsData()
    {
        var data = Parse("t,y\n0,1\n1,2\n2,3\n", Options() with { Inputs = ["t", "y"] });

        Assert.Null(data.IndexColumn);
        Assert.Equal([0.0, 1, 1, 2, 2, 3], data.Inputs.ToArray());
    }

    [Fact]
    public void Parse_DefaultTarget_IsTheLastNumericColumn()
    {
        var data = Parse("date,a,b,note\n2020,1,10,x\n2021,2,20,y\n2022,3,30,z\n");

        Assert.Equal("b", data.TargetColumn);
        Assert.Equal([10.0, 20, 30], data.Target.ToArray());
        Assert.Equal(["b"], data.InputColumns);
    }

    [Fact]
    public void Parse_NamedInputs_InTheGivenOrder()
    {
        var data = Parse("d,a,b\n2020,1,10\n2021,2,20\n2022,3,30\n", Options() with { Target = "a", Inputs = ["b", "a"] });

        Assert.Equal([10.0, 1, 20, 2, 30, 3], data.Inputs.ToArray());
        Assert.Equal([1.0, 2, 3], data.Target.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("NA")]
    [InlineData("nan")]
    [InlineData("NaN")]
    [InlineData("N/A")]
    [InlineData("null")]
    public void Parse_MissingValueWithoutPolicy_RefusedNamingLineAndColumn(string missing)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse($"d,y\n2020,1\n2021,{missing}\n2022,3\n"));

        Assert.Contains("'s.csv' line 3, column 2: (\"y\") is missing a value", e.Message);
    }

    [Fact]
    public void Parse_NonNumericCell_RefusedNamingLineColumnAndValue()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("d,y\n2020,1\n2021,2\n2022,3x\n"));

        Assert.Contains("'s.csv' line 4, column 2: (\"y\") holds \"3x\"", e.Message);
    }

    [Theory]
    [InlineData("1e999")]
    [InlineData("Infinity")]
    public void Parse_NonFiniteCell_Refused(string cell)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse($"d,y\n2020,1\n2021,2\n2022,{cell}\n"));

        Assert.Contains("line 4, column 2", e.Message);
    }

    [Fact]
    public void Parse_Interpolate_LinearBetweenNeighboursEndsFromNearest()
    {
        var data = Parse("d,y\n1,\n2,2\n3,\n4,\n5,8\n6,NA\n", Options() with { Missing = MissingValuePolicy.Interpolate });

        Assert.Equal([2.0, 2, 4, 6, 8, 8], data.Target.ToArray());
    }

    [Fact]
    public void Parse_ForwardFill_PreviousValueLeadingGapBackFilled()
    {
        var data = Parse("d,y\n1,\n2,2\n3,\n4,\n5,8\n6,NA\n", Options() with { Missing = MissingValuePolicy.ForwardFill });

        Assert.Equal([2.0, 2, 2, 2, 8, 8], data.Target.ToArray());
    }

    [Fact]
    public void Parse_Drop_RemovesRowsMissingAnyUsedColumnWithTheirLabels()
    {
        var data = Parse("d,a,y,unused\n2020,1,1,\n2021,,2,\n2022,3,,\n2023,4,4,\n2024,5,5,\n",
            Options() with { Inputs = ["a", "y"], Missing = MissingValuePolicy.Drop });

        Assert.Equal(["2020", "2023", "2024"], data.IndexLabels);
        Assert.Equal([1.0, 4, 5], data.Target.ToArray());
    }

    [Fact]
    public void Parse_ColumnWithNoValueUnderInterpolate_Refused()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            Parse("d,a,y\n1,,1\n2,,2\n3,,3\n", Options() with { Inputs = ["a"], Target = "y", Missing = MissingValuePolicy.Interpolate }));

        Assert.Contains("\"a\" has no value at all", e.Message);
    }

    [Fact]
    public void Parse_UnknownColumn_RefusedListingTheColumns()
    {
        var e = Assert.Throws<ArgumentException>(() => Parse("d,y\n1,1\n2,2\n3,3\n", Options() with { Target = "z" }));

        Assert.Contains("no column \"z\"", e.Message);
        Assert.Contains("\"d\", \"y\"", e.Message);
    }

    [Fact]
    public void Parse_SeriesShorterThanOneWindow_Refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("d,y\n1,1\n2,2\n3,3\n", Options(t: 3, k: 1)));

        Assert.Contains("3 usable rows", e.Message);
        Assert.Contains("3 + 1 = 4", e.Message);
    }

    [Fact]
    public void Parse_NoNumericColumn_Refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("d,y\n1,a\n2,b\n3,c\n"));

        Assert.Contains("no numeric column", e.Message);
    }

    [Fact]
    public void FillWindow_EveryWindow_InputsRowsEMinusTPlusOneToEAndTargetKAfter()
    {
        var data = Parse("d,x,y\n0,1,10\n1,2,20\n2,3,30\n3,4,40\n4,5,50\n5,6,60\n", Options(t: 2, k: 2) with { Inputs = ["x", "y"] });
        double[] inputs = new double[4], target = new double[1], steps = new double[2];

        Assert.Equal(3, data.WindowCount);
        data.FillWindow(0, inputs, target);
        Assert.Equal([1.0, 10, 2, 20], inputs);
        Assert.Equal([40.0], target);
        data.FillWindow(2, inputs, steps);
        Assert.Equal([3.0, 30, 4, 40], inputs);
        Assert.Equal([50.0, 60], steps);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.FillWindow(3, inputs, target));
    }

    [Fact]
    public void NextIndexLabels_NumericConstantStep_ContinuesTheIndex()
    {
        var data = Parse("year,y\n1990,1\n1992,2\n1994,3\n", Options(t: 1, k: 2));

        Assert.Equal(["1996", "1998"], data.NextIndexLabels());
    }

    [Theory]
    [InlineData("2020-01,1\n2020-02,2\n2020-03,3\n")]
    [InlineData("1990,1\n1991,2\n1993,3\n")]
    public void NextIndexLabels_DatesOrUnevenSteps_Empty(string rows)
    {
        Assert.Empty(Parse("when,y\n" + rows, Options(t: 1, k: 1)).NextIndexLabels());
    }

    [Fact]
    public void Split_LastFraction_TrainingWindowsTargetTrainingRows()
    {
        var data = Parse("d,y\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{i},{i * i}\n")), Options(t: 3, k: 1));

        var split = data.Split(0.2);

        Assert.Equal(new ForecastSplit(TrainingRows: 8, TrainingWindows: 5, ValidationWindows: 2), split);
        Assert.Equal(data.WindowCount, split.TrainingWindows + split.ValidationWindows);
    }

    [Fact]
    public void Split_TooLittleTrainingLeft_RefusedNamingTheFraction()
    {
        var data = Parse("d,y\n1,1\n2,2\n3,3\n4,4\n", Options(t: 2, k: 1));

        var e = Assert.Throws<ArgumentException>(() => data.Split(0.5));

        Assert.Contains("ValidationFraction 0.5", e.Message);
    }

    [Fact]
    public void FitScaling_TrainingRowsOnly_MeanAndPopulationStdOfThoseRows()
    {
        var data = Parse("d,x,y\n0,1,2\n1,3,2\n2,100,2\n3,200,50\n", Options(t: 1, k: 1) with { Inputs = ["x"] });

        var scaling = data.FitScaling(trainingRows: 2);

        Assert.Equal(new ColumnScaling("x", 2, 1), scaling.Column("x"));
        Assert.Equal(new ColumnScaling("y", 2, 1), scaling.Column("y")); // std 0 becomes 1
        var scaled = data.Scale(scaling);
        Assert.Equal([-1.0, 1, 98, 198], scaled.Inputs.ToArray());
        Assert.Equal(50, scaling.InverseTarget(scaled.Target[3]));
    }

    [Fact]
    public void FitScaling_StoresTheTrainingRowsNaiveMae_TheMaseScale()
    {
        var data = Parse("d,y\n0,1\n1,3\n2,2\n3,5\n4,100\n", Options(t: 1, k: 1));

        // training rows 1, 3, 2, 5: (2 + 1 + 3) / 3 = 2; the fifth row is not the training part's
        Assert.Equal(2.0, data.FitScaling(trainingRows: 4).TargetNaiveMae);
        Assert.Null(data.FitScaling(trainingRows: 1).TargetNaiveMae);
    }
}
