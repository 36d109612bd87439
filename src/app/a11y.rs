//! What the platform's accessibility layer (AccessKit, read by Orca through AT-SPI, by NVDA
//! and Narrator through UI Automation) is told beyond egui's own widget info: the window's
//! name, headings, tables with their column headers, and the answer scale as one radio group.
//!
//! egui gives each widget a role and a name; these helpers only add roles and properties to
//! the nodes egui builds (`Context::accesskit_node_builder`), so what a screen reader hears is
//! the same text the screen shows. Each costs nothing when no assistive technology is on.

use eframe::egui::{self, accesskit::Role};

/// The name of the window as the accessibility layer and the window manager show it.
pub fn window_title(client_mode: bool) -> &'static str {
    if client_mode {
        "securebase \u{2014} client mode"
    } else {
        "securebase"
    }
}

/// Names the window's root node `title` (egui leaves it unnamed; the window manager's title is
/// set apart, by a viewport command).
pub fn name_window(ctx: &egui::Context, title: &str) {
    ctx.accesskit_node_builder(egui::accesskit_root_id(), |node| node.set_label(title));
}

/// A label that the accessibility layer announces as a heading of `level` (1 for a page's
/// title, 2 for a section).
pub fn heading(
    ui: &mut egui::Ui,
    text: impl Into<egui::WidgetText>,
    level: usize,
) -> egui::Response {
    let response = ui.label(text);
    mark_heading(ui, &response, level);
    response
}

/// Makes the label `response` a heading of `level`: its text becomes the heading's name.
pub fn mark_heading(ui: &egui::Ui, response: &egui::Response, level: usize) {
    ui.ctx().accesskit_node_builder(response.id, |node| {
        // A label's text is its value; a heading's is its name.
        if let Some(text) = node.value().map(str::to_owned) {
            node.clear_value();
            node.set_label(text);
        }
        node.set_role(Role::Heading);
        node.set_level(level);
    });
}

/// A table as the accessibility layer sees it, drawn by an [`egui::Grid`] (or any layout of
/// one widget per cell): a `Table` node over `Row` nodes, each over `ColumnHeader` or `Cell`
/// nodes that carry their row and column index, so that a cell is tied to its column's header.
///
/// Call [`A11yTable::row`] before each row's cells and [`A11yTable::cell`] (or
/// [`A11yTable::header`]) for each cell, in order.
pub struct A11yTable {
    id: egui::Id,
    row: Option<(egui::Id, usize)>,
    column: usize,
}

impl A11yTable {
    /// A table named `name` of `rows` rows (the header row included) and `columns` columns,
    /// whose content `add` draws through the table it is given.
    pub fn show<R>(
        ui: &mut egui::Ui,
        name: &str,
        rows: usize,
        columns: usize,
        add: impl FnOnce(&mut egui::Ui, &mut Self) -> R,
    ) -> R {
        ui.scope_builder(
            egui::UiBuilder::new()
                .accessibility_role(Role::Table)
                .accessibility_label(name),
            |ui| {
                let id = ui.unique_id();
                ui.ctx().accesskit_node_builder(id, |node| {
                    node.set_row_count(rows);
                    node.set_column_count(columns);
                });
                let mut table = Self {
                    id,
                    row: None,
                    column: 0,
                };
                add(ui, &mut table)
            },
        )
        .inner
    }

    /// Starts row `index` (0 is the header row).
    pub fn row(&mut self, ui: &egui::Ui, index: usize) {
        let id = self.id.with(("row", index));
        // A widget of no size, so that the row's node has the table as its parent; the row's
        // cells are its children.
        ui.interact(egui::Rect::NOTHING, id, egui::Sense::hover());
        ui.ctx().accesskit_node_builder(id, |node| {
            node.set_role(Role::Row);
            node.set_row_index(index);
        });
        self.row = Some((id, index));
        self.column = 0;
    }

    /// A column header: a strong label, which names it.
    pub fn header(&mut self, ui: &mut egui::Ui, title: &str) {
        self.place(ui, Role::ColumnHeader, |ui| {
            let label = ui.label(egui::RichText::new(title).strong());
            ((), Some(label.id))
        });
    }

    /// A cell whose content `add` draws, named by nothing of its own (a link or a button in
    /// it has its own name).
    pub fn cell<R>(&mut self, ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
        self.place(ui, Role::Cell, |ui| (add(ui), None))
    }

    /// A cell named by the widget `add` draws (a label, usually): a screen reader reads the
    /// cell as that text, and a search by label finds the cell, not the label twice.
    pub fn named_cell(
        &mut self,
        ui: &mut egui::Ui,
        add: impl FnOnce(&mut egui::Ui) -> egui::Response,
    ) -> egui::Response {
        self.place(ui, Role::Cell, |ui| {
            let response = add(ui);
            let id = response.id;
            (response, Some(id))
        })
    }

    /// A cell that is one label.
    pub fn text_cell(&mut self, ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) {
        self.named_cell(ui, |ui| ui.label(text));
    }

    /// Draws a cell of `role` in the current row and column; `add` returns what it drew and
    /// the id of the widget that names the cell, if one does.
    fn place<R>(
        &mut self,
        ui: &mut egui::Ui,
        role: Role,
        add: impl FnOnce(&mut egui::Ui) -> (R, Option<egui::Id>),
    ) -> R {
        let (row_id, row) = self.row.unwrap_or((self.id, 0));
        let column = self.column;
        self.column += 1;
        let builder = egui::UiBuilder::new()
            .accessibility_parent(row_id)
            .accessibility_role(role);
        ui.scope_builder(builder, |ui| {
            let (out, name) = add(ui);
            ui.ctx().accesskit_node_builder(ui.unique_id(), |node| {
                node.set_row_index(row);
                node.set_column_index(column);
                if let Some(name) = name {
                    node.push_labelled_by(name.accesskit_id());
                }
            });
            out
        })
        .inner
    }
}

/// A radio group named `name` (the statement it answers) of `size` options, described by
/// `description` (the current answer), whose options `add` draws.
pub fn radio_group<R>(
    ui: &mut egui::Ui,
    name: &str,
    description: &str,
    size: usize,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    group(ui, name, |ui| {
        ui.ctx().accesskit_node_builder(ui.unique_id(), |node| {
            node.set_size_of_set(size);
            node.set_description(description);
        });
        add(ui)
    })
}

/// A page's title: egui's heading style, a heading of level 1 to the accessibility layer.
pub fn page_title(ui: &mut egui::Ui, text: impl Into<egui::RichText>) -> egui::Response {
    heading(ui, text.into().heading(), 1)
}

/// A section's title on a page: strong text, a heading of level 2.
pub fn section_title(ui: &mut egui::Ui, text: impl Into<egui::RichText>) -> egui::Response {
    heading(ui, text.into().strong(), 2)
}

/// A group of radio buttons named `name` (the section title above them), so that a screen
/// reader says which choice a button belongs to.
pub fn group<R>(ui: &mut egui::Ui, name: &str, add: impl FnOnce(&mut egui::Ui) -> R) -> R {
    ui.scope_builder(
        egui::UiBuilder::new()
            .accessibility_role(Role::RadioGroup)
            .accessibility_label(name),
        add,
    )
    .inner
}
