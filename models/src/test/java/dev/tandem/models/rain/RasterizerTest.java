package dev.tandem.models.rain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The rasterizer on a hand-made 3 × 3 grid whose every cell is known. */
class RasterizerTest {
    private static final double EPS = 1e-6;
    private static final double NA = Double.NaN;
    /** 3 × 3 cells of 1°, cell (r, c) centred at (r, c). */
    private static final Grid GRID = new Grid(3, 3, 0, 0, 1, 1);
    private static final List<String> FEATURES = List.of("rain_mm", "temp_c");

    private static WeatherCsv.Reading reading(String station, double lat, double lon, double rain, double temp) {
        return new WeatherCsv.Reading(0, station, lat, lon, new double[] {rain, temp});
    }

    /** A at (0, 0) in cell 0; C at (0.1, 2.0) in cell 2; B at (2.2, 1.8) in cell 8, its temperature missing. */
    private static final List<WeatherCsv.Reading> READINGS = List.of(
            reading("A", 0, 0, 4, 10),
            reading("C", 0.1, 2.0, 2, 30),
            reading("B", 2.2, 1.8, 0, NA));

    @Test
    void everyCellOfAHandMadeGrid() {
        Rasterizer r = new Rasterizer(GRID, FEATURES, new Rasterizer.Settings(2, 1.5));
        r.observe(READINGS);
        Frame f = r.rasterize(7, READINGS);
        assertEquals(7, f.step());
        assertEquals(5, f.channels());
        int n = 9;
        // normalisation: rain log1p, then (x - mean) / sample std over the observed values
        double[] lr = {Math.log1p(4), Math.log1p(2), Math.log1p(0)};
        double mr = (lr[0] + lr[1] + lr[2]) / 3;
        double sr = Math.sqrt((sq(lr[0] - mr) + sq(lr[1] - mr) + sq(lr[2] - mr)) / 2);
        double zA = (lr[0] - mr) / sr;
        double zC = (lr[1] - mr) / sr;
        double zB = (lr[2] - mr) / sr;
        double tA = (10 - 20) / Math.sqrt(200);
        double tC = (30 - 20) / Math.sqrt(200);
        // cells with a station: that station's value exactly
        assertEquals(zA, f.values()[0], EPS);
        assertEquals(zC, f.values()[2], EPS);
        assertEquals(zB, f.values()[8], EPS);
        assertEquals(tA, f.values()[n], EPS);
        assertEquals(tC, f.values()[n + 2], EPS);
        // cell (0,1): A at distance 1, C at sqrt(1.01); B at sqrt(2.2² + 0.8²) > 1.5 is out of reach
        double wA = 1;
        double wC = 1 / 1.01;
        assertEquals((wA * zA + wC * zC) / (wA + wC), f.values()[1], EPS);
        assertEquals((wA * tA + wC * tC) / (wA + wC), f.values()[n + 1], EPS);
        // cell (1,1): A at sqrt 2, C at sqrt 1.81, B at sqrt 2.08 (no temperature)
        double a = 1 / 2.0;
        double c = 1 / 1.81;
        double b = 1 / (sq(1.2) + sq(0.8));
        assertEquals((a * zA + c * zC + b * zB) / (a + c + b), f.values()[4], EPS);
        assertEquals((a * tA + c * tC) / (a + c), f.values()[n + 4], EPS);
        // cell (2,0): nobody within 1.5 cells → masked, zero, not covered
        assertEquals(0, f.values()[6]);
        assertEquals(0, f.masks()[6]);
        assertEquals(0, f.masks()[n + 6]);
        assertEquals(0, f.coverage()[6]);
        // cell (2,2): B's rain; its temperature is missing and no other station is in reach → masked
        assertEquals(1, f.masks()[8]);
        assertEquals(0, f.masks()[n + 8]);
        assertEquals(0, f.values()[n + 8]);
        assertEquals(1, f.coverage()[8]);
        // coverage: a station in the cell or within 1.5 cells
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 0, 1, 1}, f.coverage());
        // the target: raw rain in the stations' cells only
        assertArrayEquals(new float[] {4, 0, 2, 0, 0, 0, 0, 0, 0}, f.rainMm());
        assertArrayEquals(new float[] {1, 0, 1, 0, 0, 0, 0, 0, 1}, f.rainMask());
        // every masked value is exactly zero, every unmasked one came from a station
        for (int i = 0; i < 2 * n; i++) {
            if (f.masks()[i] == 0) {
                assertEquals(0, f.values()[i]);
            }
        }
        float[] in = f.input();
        assertEquals(5 * n, in.length);
        assertEquals(f.masks()[n + 4], in[3 * n + 4]);
        assertEquals(f.coverage()[6], in[4 * n + 6]);
        // a station alone in its cell is read back exactly
        assertEquals(4f, GRID.sample(f.rainMm(), 0.2, -0.3));
        assertEquals(2f, GRID.sample(f.rainMm(), 0.1, 2.0));
    }

    @Test
    void stationsSharingACellAreAveragedAndAStationsReadingsCombined() {
        Rasterizer r = new Rasterizer(GRID, FEATURES, new Rasterizer.Settings(2, 1));
        List<WeatherCsv.Reading> rs = List.of(
                reading("A", 0, 0, 1, 10), reading("A", 0, 0, 3, NA), // one station, two readings: rain 1 + 3
                reading("D", 0.2, 0.2, 2, 20)); // the same cell
        Frame f = r.rasterize(0, rs);
        assertEquals(3f, f.rainMm()[0]); // (4 + 2) / 2
        // normaliser not trained: identity on temperature (mean 0, std 1), log1p on rain
        assertEquals((Math.log1p(4) + Math.log1p(2)) / 2, f.values()[0], EPS);
        assertEquals(15, f.values()[9], EPS);
    }

    @Test
    void normaliserIsWelfordAndSurvivesSerialisation() {
        FeatureNormaliser nz = new FeatureNormaliser(List.of("rain_mm", "x"));
        double[] xs = {3, -1, 4, 1, 5, 9, 2, 6};
        double sum = 0;
        for (double x : xs) {
            nz.update(1, x);
            nz.update(0, x);
            sum += x;
        }
        nz.update(1, Double.NaN);
        double mean = sum / xs.length;
        double ss = 0;
        for (double x : xs) {
            ss += sq(x - mean);
        }
        assertEquals(8, nz.count(1));
        assertEquals(mean, nz.mean(1), 1e-12);
        assertEquals(Math.sqrt(ss / 7), nz.std(1), 1e-12);
        assertEquals((2 - mean) / Math.sqrt(ss / 7), nz.normalise(1, 2), 1e-12);
        assertEquals(Math.log1p(0), nz.transform(0, -1)); // negative amounts clipped before log1p
        FeatureNormaliser back = FeatureNormaliser.fromBytes(nz.toBytes());
        assertEquals(nz, back);
        Rasterizer r = new Rasterizer(GRID, List.of("rain_mm", "x"), Rasterizer.Settings.DEFAULT);
        r.restore(back);
        assertEquals(nz.normalise(1, 7), r.normaliser().normalise(1, 7));
        assertThrows(IllegalArgumentException.class, () -> r.restore(new FeatureNormaliser(List.of("rain_mm"))));
    }

    @Test
    void gridCellsAndAutomaticResolution() {
        assertEquals(0, GRID.cellOf(0.49, -0.49));
        assertEquals(8, GRID.cellOf(2.4, 2.4));
        assertEquals(-1, GRID.cellOf(2.6, 0));
        assertEquals(-1, GRID.cellOf(0, -0.6));
        double[] lats = {0, 0, 1};
        double[] lons = {0, 0.3, 1};
        Grid g = Grid.fromStations(lats, lons, 10);
        assertEquals(0.5, g.dlat()); // the coarsest ladder step that separates 0 and 0.3
        assertEquals(3, g.rows());
        assertEquals(3, g.cols());
        assertEquals(3, g.distinctCells(lats, lons));
        Grid small = Grid.fromStations(lats, lons, 2);
        assertEquals(0.75, small.dlat()); // the finest that fits 2 x 2; two stations share a cell
        assertEquals(2, small.rows());
        assertEquals(2, small.distinctCells(lats, lons));
        Grid box = Grid.covering(-10, -5, 100, 110, 2);
        assertEquals(new Grid(4, 6, -10, 100, 2, 2), box);
        assertEquals(box.cells() - 1, box.cellOf(-5, 110));
        Grid fit = Grid.fitting(-10, -5, 100, 110, 8); // the finest ladder step with at most 8 x 8 cells: 1.5
        assertEquals(1.5, fit.dlat());
        assertEquals(new Grid(4, 8, -10, 100, 1.5, 1.5), fit);
    }

    private static double sq(double x) {
        return x * x;
    }
}
