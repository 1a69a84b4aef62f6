// Validate inferred case graphs with Jena SHACL, shapes parsed once; prints one line per case:
// <file> <results> <median warm ms>. Usage: java JenaShaclBench SHAPES.ttl ROUNDS DATA.nt...
import java.util.*;
import org.apache.jena.graph.Graph;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.shacl.*;

public class JenaShaclBench {
    public static void main(String[] args) {
        Graph shapesGraph = RDFDataMgr.loadGraph(args[0]);
        Shapes shapes = Shapes.parse(shapesGraph);
        int rounds = Integer.parseInt(args[1]);
        for (int i = 2; i < args.length; i++) {
            List<Double> times = new ArrayList<>();
            int results = -1;
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                Graph data = RDFDataMgr.loadGraph(args[i]);          // parse + validate, as the issue measured
                ValidationReport report = ShaclValidator.get().validate(shapes, data);
                long end = System.nanoTime();
                results = report.getEntries().size();
                if (r > 0) times.add((end - start) / 1e6);          // round 0 is the warm-up
            }
            Collections.sort(times);
            double median = times.isEmpty() ? Double.NaN : times.get(times.size() / 2);
            System.out.println(args[i] + " " + results + " " + median);
        }
    }
}
