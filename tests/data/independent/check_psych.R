# Independent check of `securebase score` against R.
#
# Usage: Rscript tests/independent/check_psych.R <path/to/securebase> [work_dir]
#
# For ECR-R, ECR-S and RFQ-8 this script
#   1. simulates a realistic data set inside R (fixed seed; securebase is not involved):
#      correlated latent traits plus item noise, rounded and clamped to the 1-7 scale,
#      missing answers at varying rates (many rows exactly at and one over the missing
#      limit), missing cells written as "", "NA" or ".", and pass-through columns
#      (an id with leading zeros, a quoted group containing a comma, a free-text note);
#   2. writes it to a CSV and scores it with the securebase binary;
#   3. scores the same data independently: ECR-R and ECR-S with
#      psych::scoreItems(keys, items, totals = FALSE, missing = TRUE, impute = "none",
#      min = 1, max = 7), RFQ-8 by recoding in R and taking rowMeans;
#   4. applies the missing-answer limit in R from each row's own missing count and
#      compares: every row securebase scores agrees with R to 1e-9; rows over the limit
#      are empty in securebase, rows within it are scored; pass-through columns, row
#      order and n_missing come back unchanged;
#   5. runs `securebase reliability` on the same file and compares, per scale, n, Cronbach's
#      alpha, its Feldt 95 % interval and each item's corrected item-total correlation with
#      psych::alpha on the complete rows (keyed in R), and the mean and SD of the scale score,
#      to 1e-9.
#
# The scoring keys below are transcribed from the verified references
# (shared instruments/ecr-r.json, ecr-s.json, rfq-8.json), NOT read from the project's
# questionnaires/*.json, so that the check stays independent of the code under test.
#
# Exits with status 1 on any disagreement and prints the offending rows.

suppressPackageStartupMessages(library(psych))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 1) {
  cat("usage: Rscript check_psych.R <securebase binary> [work_dir]\n")
  quit(status = 2)
}
bin <- normalizePath(args[1], mustWork = TRUE)
work <- if (length(args) >= 2) args[2] else tempfile("securebase-psych-")
dir.create(work, showWarnings = FALSE, recursive = TRUE)

TOL <- 1e-9
failures <- character(0)
fail <- function(...) {
  msg <- paste0(...)
  failures <<- c(failures, msg)
  cat("FAIL:", msg, "\n")
}

# ---------------------------------------------------------------------------
# Instruments (keys from the verified references)
# ---------------------------------------------------------------------------

instruments <- list(
  # ECR-R: anxiety 1-18 (9, 11 reversed), avoidance 19-36 (12 reversed); <= 3 of 18 missing.
  "ecr-r" = list(
    n_rows = 5000,
    n_items = 36,
    column = function(i) paste0("q", i),
    scales = list(
      anxiety = list(items = 1:18, reverse = c(9, 11)),
      avoidance = list(items = 19:36,
                       reverse = c(20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36))
    ),
    max_missing = 3,
    method = "psych"
  ),
  # ECR-S: anxiety 2,4,6,8,10,12 (8 reversed); avoidance 1,3,5,7,9,11 (1,5,9 reversed);
  # <= 1 of 6 missing. Columns written as Q01..Q12 (case-insensitive, zero padded).
  "ecr-s" = list(
    n_rows = 3000,
    n_items = 12,
    column = function(i) sprintf("Q%02d", i),
    scales = list(
      anxiety = list(items = c(2, 4, 6, 8, 10, 12), reverse = 8),
      avoidance = list(items = c(1, 3, 5, 7, 9, 11), reverse = c(1, 5, 9))
    ),
    max_missing = 1,
    method = "psych"
  ),
  # RFQ-8: rfq_c = mean of recoded 1-6 with the disagreement table;
  # rfq_u = mean of recoded 2,4,5,6,8 (agreement table) and 7 (disagreement table);
  # <= 1 of 6 missing. Item columns written in a shuffled order.
  "rfq-8" = list(
    n_rows = 3000,
    n_items = 8,
    column = function(i) paste0("q", i),
    scales = list(
      rfq_c = list(items = 1:6, recode = rep("disagreement", 6)),
      rfq_u = list(items = c(2, 4, 5, 6, 7, 8),
                   recode = c("agreement", "agreement", "agreement", "agreement",
                              "disagreement", "agreement"))
    ),
    max_missing = 1,
    method = "recode"
  )
)

# rfq-8 reference: "recode 1->3, 2->2, 3->1, 4..7->0" and "1..4->0, 5->1, 6->2, 7->3".
recode_tables <- list(
  disagreement = c(3, 2, 1, 0, 0, 0, 0),
  agreement = c(0, 0, 0, 0, 1, 2, 3)
)

# ---------------------------------------------------------------------------
# Simulation
# ---------------------------------------------------------------------------

set.seed(20240611)

clamp17 <- function(x) pmin(7, pmax(1, round(x)))

# Latent traits: two correlated factors (r = .35) plus a per-person response style.
simulate_items <- function(inst) {
  n <- inst$n_rows
  z1 <- rnorm(n)
  z2 <- 0.35 * z1 + sqrt(1 - 0.35^2) * rnorm(n)
  latent <- cbind(z1, z2)
  style <- rnorm(n, 0, 0.3)
  x <- matrix(NA_real_, n, inst$n_items)
  centers <- c(3.6, 2.9)
  for (s in seq_along(inst$scales)) {
    sc <- inst$scales[[s]]
    for (i in sc$items) {
      if (!all(is.na(x[, i]))) next  # item shared between scales (RFQ-8): simulate once
      lambda <- runif(1, 0.7, 1.3)
      b <- runif(1, -0.5, 0.5)
      trait <- centers[s] + lambda * latent[, s] + b + rnorm(n, 0, 0.9)
      reversed <- i %in% sc$reverse ||
        (!is.null(sc$recode) && sc$recode[match(i, sc$items)] == "disagreement")
      x[, i] <- clamp17((if (reversed) 8 - trait else trait) + style)
    }
  }
  x
}

# Missingness per scale: a count drawn so that many rows sit exactly at the limit and
# one over it, plus some rows with the whole scale missing and some respondents who
# stopped part-way (every item after a point missing).
simulate_missing <- function(inst) {
  n <- inst$n_rows
  miss <- matrix(FALSE, n, inst$n_items)
  lim <- inst$max_missing
  for (sc in inst$scales) {
    k <- length(sc$items)
    counts <- 0:k
    p <- rep(0.01, k + 1)
    p[counts == 0] <- 0.40
    p[counts == 1] <- p[counts == 1] + 0.08
    p[counts == lim] <- p[counts == lim] + 0.17
    p[counts == lim + 1] <- p[counts == lim + 1] + 0.17
    p[counts == k] <- p[counts == k] + 0.02
    m <- sample(counts, n, replace = TRUE, prob = p)
    for (r in which(m > 0)) {
      miss[r, sample(sc$items, m[r])] <- TRUE
    }
  }
  dropouts <- sample(n, round(0.03 * n))
  for (r in dropouts) {
    stop_at <- sample(2:inst$n_items, 1)
    miss[r, stop_at:inst$n_items] <- TRUE
  }
  miss
}

groups <- c("clinic, north", "clinic, south", "waitlist", "community sample",
            "students \"A\"", "inpatient; ward 3")
notes <- c("", "first visit", "follow-up, 6 weeks", "Zo\u00eb", "re-test", "n/a")

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

csv_quote <- function(v) paste0("\"", gsub("\"", "\"\"", v, fixed = TRUE), "\"")

write_input <- function(path, pass, item_cols, items_chr) {
  # Column order: id, the item columns, group in the middle, note at the end.
  half <- ceiling(ncol(items_chr) / 2)
  hdr <- c("id", item_cols[1:half], "group", item_cols[-(1:half)], "note")
  body <- cbind(pass$id, items_chr[, 1:half, drop = FALSE], csv_quote(pass$group),
                items_chr[, -(1:half), drop = FALSE], csv_quote(pass$note))
  lines <- c(paste(hdr, collapse = ","), apply(body, 1, paste, collapse = ","))
  con <- file(path, open = "wb")
  writeLines(enc2utf8(lines), con, sep = "\n", useBytes = TRUE)
  close(con)
}

run_securebase <- function(id, input, output) {
  err <- file.path(work, paste0(id, ".stderr"))
  status <- system2(bin, c("score", "--instrument", id, "--input", shQuote(input),
                           "--output", shQuote(output)),
                    stdout = "", stderr = err)
  if (!identical(as.integer(status), 0L)) {
    cat(readLines(err, warn = FALSE), sep = "\n")
    fail(id, ": securebase exited with status ", status)
    return(NULL)
  }
  read.csv(output, colClasses = "character", na.strings = character(0),
           check.names = FALSE, encoding = "UTF-8", stringsAsFactors = FALSE)
}

psych_scores <- function(inst, x) {
  colnames(x) <- paste0("q", seq_len(ncol(x)))
  keys_list <- lapply(inst$scales, function(sc) {
    ifelse(sc$items %in% sc$reverse, paste0("-q", sc$items), paste0("q", sc$items))
  })
  keys <- make.keys(ncol(x), keys_list, item.labels = colnames(x))
  res <- scoreItems(keys, x, totals = FALSE, missing = TRUE, impute = "none",
                    min = 1, max = 7)
  res$scores[, names(inst$scales), drop = FALSE]
}

recode_scores <- function(inst, x) {
  out <- sapply(inst$scales, function(sc) {
    rec <- sapply(seq_along(sc$items), function(j) {
      recode_tables[[sc$recode[j]]][x[, sc$items[j]]]
    })
    rowMeans(rec, na.rm = TRUE)
  })
  out[is.nan(out)] <- NA
  out
}

# ---------------------------------------------------------------------------
# Check one instrument
# ---------------------------------------------------------------------------

check_instrument <- function(id, inst) {
  n <- inst$n_rows
  x <- simulate_items(inst)
  miss <- simulate_missing(inst)
  x[miss] <- NA

  tokens <- sample(c("", "NA", "."), sum(miss), replace = TRUE, prob = c(0.5, 0.3, 0.2))
  items_chr <- matrix(as.character(x), n, inst$n_items)
  items_chr[miss] <- tokens

  item_cols <- vapply(seq_len(inst$n_items), inst$column, "")
  order <- seq_len(inst$n_items)
  if (id == "rfq-8") order <- sample(order)  # item columns need not be in item order
  pass <- data.frame(
    id = sprintf("%s-%05d", toupper(gsub("-", "", id)), seq_len(n)),
    group = sample(groups, n, replace = TRUE),
    note = sample(notes, n, replace = TRUE),
    stringsAsFactors = FALSE
  )
  input <- file.path(work, paste0(id, "-input.csv"))
  output <- file.path(work, paste0(id, "-scored.csv"))
  write_input(input, pass, item_cols[order], items_chr[, order, drop = FALSE])

  got <- run_securebase(id, input, output)
  if (is.null(got)) return(invisible())

  ref <- if (inst$method == "psych") psych_scores(inst, x) else recode_scores(inst, x)

  expected_cols <- c("id", "group", "note", names(inst$scales), "n_missing", "flags")
  if (!identical(names(got), expected_cols)) {
    fail(id, ": output columns are [", paste(names(got), collapse = ", "),
         "], expected [", paste(expected_cols, collapse = ", "), "]")
    return(invisible())
  }
  if (nrow(got) != n) {
    fail(id, ": ", nrow(got), " output rows for ", n, " input rows")
    return(invisible())
  }

  # Pass-through columns and row order.
  for (col in c("id", "group", "note")) {
    bad <- which(enc2utf8(got[[col]]) != enc2utf8(pass[[col]]))
    for (r in head(bad, 10)) {
      fail(id, " row ", r, ": pass-through ", col, " = '", got[[col]][r],
           "', input had '", pass[[col]][r], "'")
    }
    if (length(bad) > 10) fail(id, ": ", length(bad), " rows differ in ", col)
  }

  # n_missing: all missing answers of the row.
  n_miss_row <- rowSums(miss)
  bad <- which(as.integer(got$n_missing) != n_miss_row)
  for (r in head(bad, 10)) {
    fail(id, " row ", r, " (", pass$id[r], "): n_missing = ", got$n_missing[r],
         ", R counts ", n_miss_row[r])
  }

  summary_parts <- character(0)
  for (s in names(inst$scales)) {
    sc <- inst$scales[[s]]
    n_miss_scale <- rowSums(miss[, sc$items, drop = FALSE])
    should_score <- n_miss_scale <= inst$max_missing
    sb <- suppressWarnings(as.numeric(got[[s]]))
    empty <- got[[s]] == ""
    unparsable <- which(!empty & is.na(sb))
    for (r in head(unparsable, 10)) {
      fail(id, " row ", r, " (", pass$id[r], "): ", s, " = '", got[[s]][r],
           "' is not a number")
    }

    over_but_scored <- which(!should_score & !empty)
    for (r in head(over_but_scored, 20)) {
      fail(id, " row ", r, " (", pass$id[r], "): ", s, " has ", n_miss_scale[r],
           " missing (limit ", inst$max_missing, ") but securebase scored ", got[[s]][r])
    }
    if (length(over_but_scored) > 20) {
      fail(id, ": ", length(over_but_scored), " rows over the ", s, " limit were scored")
    }
    within_but_empty <- which(should_score & empty)
    for (r in head(within_but_empty, 20)) {
      fail(id, " row ", r, " (", pass$id[r], "): ", s, " has ", n_miss_scale[r],
           " missing (limit ", inst$max_missing, ") but securebase left it empty; R gives ",
           format(ref[r, s], digits = 17))
    }
    if (length(within_but_empty) > 20) {
      fail(id, ": ", length(within_but_empty), " rows within the ", s, " limit were empty")
    }

    scored <- which(!empty & !is.na(sb))
    diff <- abs(sb[scored] - ref[scored, s])
    diff[is.na(diff)] <- Inf  # securebase scored, R has nothing to compare with
    bad <- scored[diff > TOL]
    for (r in head(bad, 20)) {
      fail(id, " row ", r, " (", pass$id[r], "): ", s, " securebase = ",
           format(sb[r], digits = 17), ", R = ", format(ref[r, s], digits = 17),
           " (", n_miss_scale[r], " missing)")
    }
    if (length(bad) > 20) fail(id, ": ", length(bad), " rows disagree on ", s)
    max_diff <- if (length(diff)) max(diff) else NA

    summary_parts <- c(summary_parts, sprintf(
      "%s scored %d (%d at the limit, %d one over, %d over in all), max |diff| %.3g",
      s, length(scored), sum(n_miss_scale == inst$max_missing),
      sum(n_miss_scale == inst$max_missing + 1), sum(!should_score), max_diff))
  }
  cat(sprintf("%-6s rows %d; %s\n", id, n, paste(summary_parts, collapse = "; ")))
  check_reliability(id, inst, x, input)
}

# ---------------------------------------------------------------------------
# Reliability: `securebase reliability` against psych::alpha
# ---------------------------------------------------------------------------

# Per scale, on the rows where every item of the scale is answered, with the items keyed in
# R from the verified key above (8 - x for reversed items, the recode tables for the RFQ-8):
# psych::alpha's raw alpha, its Feldt interval, each item's r.drop, and the mean and SD of the
# row means (the scale score). Compared to TOL; n exactly.
check_reliability <- function(id, inst, x, input) {
  out <- file.path(work, paste0(id, "-reliability.csv"))
  err <- file.path(work, paste0(id, "-reliability.stderr"))
  status <- system2(bin, c("reliability", "--instrument", id, "--input", shQuote(input),
                           "--format", "csv"), stdout = out, stderr = err)
  if (!identical(as.integer(status), 0L)) {
    cat(readLines(err, warn = FALSE), sep = "\n")
    fail(id, ": securebase reliability exited with status ", status)
    return(invisible())
  }
  got <- read.csv(out, stringsAsFactors = FALSE)
  parts <- character(0)
  for (s in names(inst$scales)) {
    sc <- inst$scales[[s]]
    keyed <- sapply(seq_along(sc$items), function(j) {
      v <- x[, sc$items[j]]
      if (!is.null(sc$recode)) recode_tables[[sc$recode[j]]][v]
      else if (sc$items[j] %in% sc$reverse) 8 - v
      else v
    })
    complete <- keyed[stats::complete.cases(keyed), , drop = FALSE]
    a <- psych::alpha(as.data.frame(complete), check.keys = FALSE, warnings = FALSE)
    rows <- got[got$scale == s, ]
    if (nrow(rows) != length(sc$items)) {
      fail(id, " ", s, ": ", nrow(rows), " item rows, expected ", length(sc$items))
      next
    }
    if (!all(rows$n == nrow(complete))) {
      fail(id, " ", s, ": n = ", rows$n[1], ", R has ", nrow(complete), " complete rows")
    }
    if (!all(rows$item == sc$items)) {
      fail(id, " ", s, ": items ", paste(rows$item, collapse = " "))
    }
    scores <- rowMeans(complete)
    pairs <- list(
      alpha = c(rows$alpha[1], a$total$raw_alpha),
      alpha_ci_low = c(rows$alpha_ci_low[1], a$feldt$lower.ci$raw_alpha),
      alpha_ci_high = c(rows$alpha_ci_high[1], a$feldt$upper.ci$raw_alpha),
      mean = c(rows$mean[1], mean(scores)),
      sd = c(rows$sd[1], stats::sd(scores))
    )
    for (j in seq_along(sc$items)) {
      pairs[[paste0("r_drop q", sc$items[j])]] <- c(rows$r_drop[j], a$item.stats$r.drop[j])
    }
    worst <- 0
    for (name in names(pairs)) {
      d <- abs(pairs[[name]][1] - pairs[[name]][2])
      if (is.na(d) || d > TOL) {
        fail(id, " ", s, ": ", name, " securebase = ", format(pairs[[name]][1], digits = 17),
             ", psych = ", format(pairs[[name]][2], digits = 17))
      } else {
        worst <- max(worst, d)
      }
    }
    parts <- c(parts, sprintf("%s n %d alpha %.4f [%.4f, %.4f], max |diff| %.3g", s,
                              nrow(complete), a$total$raw_alpha, a$feldt$lower.ci$raw_alpha,
                              a$feldt$upper.ci$raw_alpha, worst))
  }
  cat(sprintf("%-6s reliability: %s\n", id, paste(parts, collapse = "; ")))
}

for (id in names(instruments)) check_instrument(id, instruments[[id]])

if (length(failures) > 0) {
  cat(sprintf("FAILED: %d problem(s) comparing securebase with R\n", length(failures)))
  quit(status = 1)
}
cat("OK: securebase agrees with the independent R scoring on every instrument\n")
