using System.Globalization;
using System.Text;

namespace MlNetRnn.Tests.CommandLine;

/// <summary>A temporary folder with tiny data files for the command tests; deleted on dispose.</summary>
internal sealed class CliFiles : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("mlnetrnn-cli");

    public string this[string name] => Path.Combine(_directory.FullName, name);

    /// <summary>24 short mails, half spam: a CSV (with an id column and a quoted field), the same as TSV and as JSON lines.</summary>
    public (string Csv, string Tsv, string Jsonl) Mails()
    {
        var rows = MailRows();
        var csv = new StringBuilder("id,text,label\n");
        var tsv = new StringBuilder("text\tlabel\n");
        var jsonl = new StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            var (text, label) = rows[i];
            csv.Append(CultureInfo.InvariantCulture, $"{i},\"{text}\",{label}\n");
            tsv.Append(CultureInfo.InvariantCulture, $"{text}\t{label}\n");
            jsonl.Append(CultureInfo.InvariantCulture, $"{{\"text\": \"{text}\", \"label\": \"{label}\"}}\n");
        }
        File.WriteAllText(this["mails.csv"], csv.ToString());
        File.WriteAllText(this["mails.tsv"], tsv.ToString());
        File.WriteAllText(this["mails.jsonl"], jsonl.ToString());
        return (this["mails.csv"], this["mails.tsv"], this["mails.jsonl"]);
    }

    public static List<(string Text, string Label)> MailRows()
    {
        string[] spam = ["win a free prize now", "cheap money, click here", "free offer: buy now", "claim your prize money", "click now for cheap pills", "you win money, free"];
        string[] ham = ["meeting notes for the project", "agenda for the team meeting", "lunch with the team", "project schedule review", "notes from the review", "the report for monday"];
        var rows = new List<(string, string)>();
        for (var i = 0; i < 12; i++)
        {
            rows.Add((spam[i % spam.Length] + (i >= 6 ? " today" : ""), "spam"));
            rows.Add((ham[i % ham.Length] + (i >= 6 ? " today" : ""), "ham"));
        }
        return rows;
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
