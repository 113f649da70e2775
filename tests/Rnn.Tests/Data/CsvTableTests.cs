using Rnn.Data;

namespace Rnn.Tests.Data;

public sealed class CsvTableTests
{
    [Fact]
    public void Parse_QuotedFields_CommasNewlinesAndDoubledQuotesAreText()
    {
        var table = CsvTable.Parse("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\"\n1,,\"\"\n", "t.csv");

        Assert.Equal(["a", "b", "c"], table.Header);
        Assert.Equal(["x,y", "say \"hi\"", "two\nlines"], table.Rows[0].Fields);
        Assert.Equal(["1", "", ""], table.Rows[1].Fields);
    }

    [Fact]
    public void Parse_RecordAfterMultilineField_NumberedByItsOwnFirstLine()
    {
        var table = CsvTable.Parse("a,b\n\"1\n\n2\",3\n4,5\n", "t.csv");

        Assert.Equal([2, 5], table.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Parse_NoFinalLineBreakAndTrailingBlankLines_SameRows()
    {
        var plain = CsvTable.Parse("a,b\n1,2", "t.csv");
        var trailing = CsvTable.Parse("a,b\n1,2\n\n\n", "t.csv");

        Assert.Equal(plain.Rows.Select(r => r.Fields.ToArray()), trailing.Rows.Select(r => r.Fields.ToArray()));
    }

    [Fact]
    public void Parse_HeaderNames_TrimmedAndUnquoted()
    {
        var table = CsvTable.Parse(" date ,\"value, total\"\n1,2\n", "t.csv");

        Assert.Equal(["date", "value, total"], table.Header);
    }

    [Fact]
    public void Parse_UnquotedFieldWithSpaces_KeptAsWritten()
    {
        var table = CsvTable.Parse("a,b\n x , y\n", "t.csv");

        Assert.Equal([" x ", " y"], table.Rows[0].Fields);
    }

    [Theory]
    [InlineData("a,b\n1,2,3\n", "line 2:", "3 fields; the header has 2")]
    [InlineData("a,b\n1\n", "line 2:", "1 fields; the header has 2")]
    [InlineData("a,b\n1,2\n\n3,4\n", "line 3:", "1 fields; the header has 2")]
    [InlineData("a,b\n1,\"open\n", "line 2, column 2:", "never closed")]
    [InlineData("a,b\n1,\"x\"y\n", "line 2, column 2:", "followed by 'y'")]
    [InlineData("a,b\n1,x\"y\n", "line 2, column 2:", "quote inside an unquoted field")]
    [InlineData("a,a\n1,2\n", "line 1, column 2:", "also the name of column 1")]
    [InlineData("a, \n1,2\n", "line 1, column 2:", "column name is empty")]
    public void Parse_Malformed_RefusedNamingLineAndColumn(string text, string where, string problem)
    {
        DataAssert.Refused(() => CsvTable.Parse(text, "t.csv"), "t.csv", where, problem);
    }

    [Fact]
    public void Parse_HeaderOnly_Refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => CsvTable.Parse("a,b\n", "t.csv"));

        Assert.Contains("header but no rows", e.Message);
    }
}
